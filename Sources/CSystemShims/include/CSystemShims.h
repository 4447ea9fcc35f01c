#ifndef CSYSTEMSHIMS_H
#define CSYSTEMSHIMS_H

// The module's umbrella header (SwiftPM uses include/<target name>.h as one): what Glibc's Swift
// module does not export, one header per concern.
#include "csystem_accept.h"
#include "csystem_epoll.h"
#include "csystem_signals.h"
#include "csystem_memory.h"
#include "csystem_tls.h"

#endif
