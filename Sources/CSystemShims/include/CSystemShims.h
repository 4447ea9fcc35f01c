#ifndef CSYSTEMSHIMS_H
#define CSYSTEMSHIMS_H

#include <stdint.h>

/// accept4(2) with SOCK_NONBLOCK | SOCK_CLOEXEC: Glibc's Swift module hides it behind _GNU_SOURCE.
int csystem_accept_nonblocking(int fd);

/// epoll(7), which Glibc's Swift module does not export, with its packed event struct kept on
/// the C side: a registration carries a 64-bit token instead of a pointer.
enum {
    CSYSTEM_EPOLLIN = 0x001,
    CSYSTEM_EPOLLOUT = 0x004,
    CSYSTEM_EPOLLERR = 0x008,
    CSYSTEM_EPOLLHUP = 0x010,
    CSYSTEM_EPOLLRDHUP = 0x2000,
    CSYSTEM_EPOLL_CTL_ADD = 1,
    CSYSTEM_EPOLL_CTL_DEL = 2,
    CSYSTEM_EPOLL_CTL_MOD = 3,
};

int csystem_epoll_create(void);
int csystem_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t token);
/// Waits up to `timeout_ms` (0: do not wait) for at most `max` (<= 512) events.
int csystem_epoll_wait(int epfd, uint64_t *tokens, uint32_t *events, int max, int timeout_ms);

/// SIGTERM and SIGINT each write their number as one byte to a non-blocking pipe, whose read
/// end is returned (-1 on failure). Installed synchronously, so no signal is lost while a
/// Dispatch source for the pipe is being set up.
int csystem_stop_signals_pipe(void);

/// Returns freed heap memory to the system (glibc's malloc_trim), e.g. after a large load.
void csystem_release_free_memory(void);

#endif
