#define _GNU_SOURCE
#include <stddef.h>
#include <sys/socket.h>
#include "csystem_accept.h"

int csystem_accept_nonblocking(int fd) {
    return accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
}
