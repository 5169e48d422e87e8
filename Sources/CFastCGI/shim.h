#include <fcgiapp.h>
#include <sys/signalfd.h>
#include <sys/epoll.h>
