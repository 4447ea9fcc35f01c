#define _GNU_SOURCE
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <stddef.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include "CSystemShims.h"

int csystem_accept_nonblocking(int fd) {
    return accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
}

int csystem_epoll_create(void) {
    return epoll_create1(EPOLL_CLOEXEC);
}

int csystem_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t token) {
    struct epoll_event event = { .events = events, .data = { .u64 = token } };
    return epoll_ctl(epfd, op, fd, &event);
}

int csystem_epoll_wait(int epfd, uint64_t *tokens, uint32_t *events, int max, int timeout_ms) {
    struct epoll_event ready[512];
    if (max > 512) max = 512;
    int count = epoll_wait(epfd, ready, max, timeout_ms);
    for (int i = 0; i < count; i++) {
        tokens[i] = ready[i].data.u64;
        events[i] = ready[i].events;
    }
    return count;
}

static int stop_pipe_write_end = -1;

static void on_stop_signal(int number) {
    unsigned char byte = (unsigned char)number;
    ssize_t ignored = write(stop_pipe_write_end, &byte, 1);
    (void)ignored;
}

int csystem_stop_signals_pipe(void) {
    int ends[2];
    if (pipe2(ends, O_CLOEXEC | O_NONBLOCK) != 0) return -1;
    stop_pipe_write_end = ends[1];
    struct sigaction action = {0};
    action.sa_handler = on_stop_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    sigaction(SIGTERM, &action, NULL);
    sigaction(SIGINT, &action, NULL);
    // SIGHUP (a closed terminal, or a supervisor's "reload") and SIGUSR1 would otherwise end
    // the process at once; there is nothing to reload, so they stop it gracefully too. A SIGHUP
    // ignored from the start (nohup) stays ignored.
    struct sigaction hangup;
    if (sigaction(SIGHUP, NULL, &hangup) == 0 && hangup.sa_handler != SIG_IGN) sigaction(SIGHUP, &action, NULL);
    sigaction(SIGUSR1, &action, NULL);
    return ends[0];
}

void csystem_release_free_memory(void) {
    malloc_trim(0);
}
