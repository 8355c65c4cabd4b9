/*
 * HTTPS certificates for the HTTP layer (issue 16), internal to http/:
 * http.c loads a certificate chain and key (PEM) with
 * mf_tls_creds_load, installs them, and gives libmicrohttpd
 * mf_tls_callback() as MHD_OPTION_HTTPS_CERT_CALLBACK, which hands GnuTLS
 * the installed credentials at every handshake. Installing new ones
 * (mf_http_reload, on SIGHUP) changes what new handshakes get; replaced
 * credentials stay allocated until mf_tls_uninstall, since a handshake
 * in progress may still use them. One set per process.
 */
#ifndef MF_HTTP_TLS_H
#define MF_HTTP_TLS_H

#include "common/error.h"

#include <stdbool.h>

struct mf_tls_creds;

/*
 * Parses the PEM chain (at most 16 certificates) and key into *out, owned
 * by the caller until installed. MF_E_BAD_PARAM (why in err) when either
 * does not parse or the key is not the certificate's; MF_E_NOMEM.
 */
int mf_tls_creds_load(struct mf_tls_creds **out, const char *cert_pem,
                      const char *key_pem, struct mf_error *err);
/* Frees c and every set it replaced; NULL is fine. */
void mf_tls_creds_free(struct mf_tls_creds *c);
/* Makes c (taken) the credentials of new handshakes. */
void mf_tls_install(struct mf_tls_creds *c);
/* Whether any are installed (the server was started with TLS). */
bool mf_tls_installed(void);
/* Frees every installed set; after the daemon has stopped. */
void mf_tls_uninstall(void);
/* The retrieve function for MHD_OPTION_HTTPS_CERT_CALLBACK. */
void *mf_tls_callback(void);

#endif
