#ifndef CSYSTEM_TLS_H
#define CSYSTEM_TLS_H

#include <stddef.h>

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
