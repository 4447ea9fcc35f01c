#ifndef CSYSTEM_EPOLL_H
#define CSYSTEM_EPOLL_H

#include <stdint.h>

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

#endif
