#ifndef CSYSTEMSHIMS_H
#define CSYSTEMSHIMS_H

#include <stddef.h>
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

/// SIGTERM, SIGINT, SIGHUP (unless ignored, as under nohup) and SIGUSR1 each write their number
/// as one byte to a non-blocking pipe, whose read end is returned (-1 on failure). Installed
/// synchronously, so no signal is lost while a Dispatch source for the pipe is being set up.
int csystem_stop_signals_pipe(void);

/// Returns freed heap memory to the system (glibc's malloc_trim), e.g. after a large load.
void csystem_release_free_memory(void);

/// TLS with OpenSSL, kept on the C side. Contexts and connections are opaque pointers.
/// `ctls_accept`, `ctls_read` and `ctls_write` return a count (> 0), 0 for a closed TLS
/// session, or one of these:
enum {
    CTLS_WANT_READ = -2,
    CTLS_WANT_WRITE = -3,
    CTLS_FAILED = -1,
};
/// A server context (TLS 1.2 and 1.3 only) for the PEM text of a certificate chain and of its
/// key, read by the caller; NULL with `error` set on failure. An encrypted key is refused.
void *ctls_server_context_pem(const void *certificate, size_t certificate_length, const void *key, size_t key_length,
                              char *error, size_t length);
/// A server context with a new P-256 key and a certificate for localhost, 127.0.0.1 and ::1,
/// whose PEM text is copied to `pem` (room for `*pem_length` bytes; set to the count written).
void *ctls_self_signed_context(char *pem, size_t *pem_length, char *error, size_t length);
void *ctls_new(void *context, int fd);
long ctls_accept(void *ssl);
long ctls_read(void *ssl, void *buffer, size_t length);
long ctls_write(void *ssl, const void *buffer, size_t length);
void ctls_close_notify(void *ssl);
void ctls_free(void *ssl);
void ctls_free_context(void *context);

#endif
