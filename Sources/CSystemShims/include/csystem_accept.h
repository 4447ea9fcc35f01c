#ifndef CSYSTEM_ACCEPT_H
#define CSYSTEM_ACCEPT_H

/// accept4(2) with SOCK_NONBLOCK | SOCK_CLOEXEC: Glibc's Swift module hides it behind _GNU_SOURCE.
int csystem_accept_nonblocking(int fd);

#endif
