#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <string.h>
#include "csystem_tls.h"

static void last_error(char *error, size_t length, const char *what) {
    unsigned long code = ERR_get_error();
    char reason[256] = "unknown reason";
    if (code != 0) ERR_error_string_n(code, reason, sizeof reason);
    snprintf(error, length, "%s: %s", what, reason);
    ERR_clear_error();
}

static SSL_CTX *new_context(char *error, size_t length) {
    SSL_CTX *context = SSL_CTX_new(TLS_server_method());
    if (context == NULL) {
        last_error(error, length, "cannot create a TLS context");
        return NULL;
    }
    SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION);
    SSL_CTX_set_mode(context, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    SSL_CTX_set_options(context, SSL_OP_NO_RENEGOTIATION);
    return context;
}

/// Fails rather than asking on the terminal for the pass phrase of an encrypted key.
static int no_pass_phrase(char *buffer, int size, int rwflag, void *data) {
    (void)buffer; (void)size; (void)rwflag; (void)data;
    return -1;
}

static BIO *memory(const void *bytes, size_t count) {
    return count > 0x7fffffff ? NULL : BIO_new_mem_buf(count > 0 ? bytes : "", (int)count);
}

/// As SSL_CTX_use_certificate_chain_file, from memory: the first certificate, then its chain.
static int use_chain(SSL_CTX *context, BIO *bio) {
    X509 *leaf = PEM_read_bio_X509_AUX(bio, NULL, no_pass_phrase, NULL);
    if (leaf == NULL) return 0;
    int ok = SSL_CTX_use_certificate(context, leaf) == 1;
    X509_free(leaf);
    if (!ok || SSL_CTX_clear_chain_certs(context) != 1) return 0;
    X509 *issuer;
    while ((issuer = PEM_read_bio_X509(bio, NULL, no_pass_phrase, NULL)) != NULL) {
        if (SSL_CTX_add0_chain_cert(context, issuer) != 1) {
            X509_free(issuer);
            return 0;
        }
    }
    // The end of the text reads as "no start line"; anything else is a damaged certificate.
    unsigned long code = ERR_peek_last_error();
    if (ERR_GET_LIB(code) != ERR_LIB_PEM || ERR_GET_REASON(code) != PEM_R_NO_START_LINE) return 0;
    ERR_clear_error();
    return 1;
}

void *ctls_server_context_pem(const void *certificate, size_t certificate_length, const void *key, size_t key_length,
                              char *error, size_t length) {
    SSL_CTX *context = new_context(error, length);
    if (context == NULL) return NULL;
    BIO *chain = memory(certificate, certificate_length);
    BIO *key_bio = memory(key, key_length);
    EVP_PKEY *private_key = NULL;
    int ok = 0;
    if (chain == NULL || !use_chain(context, chain)) {
        last_error(error, length, "cannot use the certificate file");
    } else if (key_bio == NULL || (private_key = PEM_read_bio_PrivateKey(key_bio, NULL, no_pass_phrase, NULL)) == NULL
               || SSL_CTX_use_PrivateKey(context, private_key) != 1) {
        last_error(error, length, "cannot use the key file");
    } else if (SSL_CTX_check_private_key(context) != 1) {
        last_error(error, length, "the key file does not match the certificate file");
    } else {
        ok = 1;
    }
    EVP_PKEY_free(private_key);
    BIO_free(chain);
    BIO_free(key_bio);
    if (ok) return context;
    SSL_CTX_free(context);
    return NULL;
}

void *ctls_self_signed_context(char *pem, size_t *pem_length, char *error, size_t length) {
    SSL_CTX *context = new_context(error, length);
    if (context == NULL) return NULL;
    EVP_PKEY *key = EVP_EC_gen("P-256");
    X509 *certificate = X509_new();
    int ok = key != NULL && certificate != NULL;
    if (ok) {
        X509_set_version(certificate, 2);
        ASN1_INTEGER_set(X509_get_serialNumber(certificate), (long)time(NULL));
        X509_gmtime_adj(X509_getm_notBefore(certificate), -3600);
        X509_gmtime_adj(X509_getm_notAfter(certificate), 365L * 24 * 3600);
        X509_set_pubkey(certificate, key);
        X509_NAME *name = X509_get_subject_name(certificate);
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"localhost", -1, -1, 0);
        X509_set_issuer_name(certificate, name);
        X509V3_CTX v3;
        X509V3_set_ctx_nodb(&v3);
        X509V3_set_ctx(&v3, certificate, certificate, NULL, NULL, 0);
        X509_EXTENSION *san = X509V3_EXT_conf_nid(NULL, &v3, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1,IP:::1");
        X509_EXTENSION *constraints = X509V3_EXT_conf_nid(NULL, &v3, NID_basic_constraints, "critical,CA:TRUE");
        ok = san != NULL && constraints != NULL && X509_add_ext(certificate, san, -1) && X509_add_ext(certificate, constraints, -1)
            && X509_sign(certificate, key, EVP_sha256()) > 0;
        X509_EXTENSION_free(san);
        X509_EXTENSION_free(constraints);
    }
    if (!ok) {
        last_error(error, length, "cannot make a self-signed certificate");
    } else if (SSL_CTX_use_certificate(context, certificate) != 1 || SSL_CTX_use_PrivateKey(context, key) != 1) {
        last_error(error, length, "cannot use the self-signed certificate");
        ok = 0;
    } else {
        BIO *out = BIO_new(BIO_s_mem());
        char *text = NULL;
        long count = out != NULL && PEM_write_bio_X509(out, certificate) == 1 ? BIO_get_mem_data(out, &text) : 0;
        if (count <= 0 || (size_t)count > *pem_length) {
            last_error(error, length, "cannot write the self-signed certificate as PEM");
            ok = 0;
        } else {
            memcpy(pem, text, (size_t)count);
            *pem_length = (size_t)count;
        }
        BIO_free(out);
    }
    X509_free(certificate);
    EVP_PKEY_free(key);
    if (ok) return context;
    SSL_CTX_free(context);
    return NULL;
}

void *ctls_new(void *context, int fd) {
    SSL *ssl = SSL_new((SSL_CTX *)context);
    if (ssl != NULL && SSL_set_fd(ssl, fd) != 1) {
        SSL_free(ssl);
        return NULL;
    }
    return ssl;
}

static long outcome(SSL *ssl, int result) {
    if (result > 0) return result;
    switch (SSL_get_error(ssl, result)) {
    case SSL_ERROR_WANT_READ: return CTLS_WANT_READ;
    case SSL_ERROR_WANT_WRITE: return CTLS_WANT_WRITE;
    case SSL_ERROR_ZERO_RETURN: return 0;
    default:
        ERR_clear_error();
        return CTLS_FAILED;
    }
}

long ctls_accept(void *ssl) { return outcome(ssl, SSL_accept((SSL *)ssl)); }

long ctls_read(void *ssl, void *buffer, size_t length) {
    return outcome(ssl, SSL_read((SSL *)ssl, buffer, length > 0x7fffffff ? 0x7fffffff : (int)length));
}

long ctls_write(void *ssl, const void *buffer, size_t length) {
    return outcome(ssl, SSL_write((SSL *)ssl, buffer, length > 0x7fffffff ? 0x7fffffff : (int)length));
}

void ctls_close_notify(void *ssl) {
    SSL_shutdown((SSL *)ssl);
    ERR_clear_error();
}

void ctls_free(void *ssl) { SSL_free((SSL *)ssl); }

void ctls_free_context(void *context) { SSL_CTX_free((SSL_CTX *)context); }
