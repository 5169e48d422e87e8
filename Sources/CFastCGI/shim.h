#include <fcgiapp.h>
#include <sys/signalfd.h>
