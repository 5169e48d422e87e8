#include <libxml/xmlversion.h>
// Debian's libxml2 is built with ICU, and libxml/encoding.h then includes the system's
// <unicode/ucnv.h>, whose enums clash with the ICU copy inside Swift's Foundation. Nothing we
// call touches the ICU converter fields, so the headers are read without them.
#undef LIBXML_ICU_ENABLED
#include <libxml/HTMLparser.h>
#include <libxml/HTMLtree.h>
#include <libxml/tree.h>
