#ifndef CSOCKETSHIMS_H
#define CSOCKETSHIMS_H

/// accept4(2) with SOCK_NONBLOCK | SOCK_CLOEXEC: Glibc's Swift module hides it behind _GNU_SOURCE.
int csocket_accept_nonblocking(int fd);

#endif
