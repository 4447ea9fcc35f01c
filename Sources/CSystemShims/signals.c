#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>
#include "csystem_signals.h"

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
