#ifndef CSYSTEM_SIGNALS_H
#define CSYSTEM_SIGNALS_H

/// SIGTERM, SIGINT, SIGHUP (unless ignored, as under nohup) and SIGUSR1 each write their number
/// as one byte to a non-blocking pipe, whose read end is returned (-1 on failure). Installed
/// synchronously, so no signal is lost while a Dispatch source for the pipe is being set up.
int csystem_stop_signals_pipe(void);

#endif
