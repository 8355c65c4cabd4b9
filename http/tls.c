/*
 * HTTPS credentials for libmicrohttpd (see tls.h): GnuTLS certificate
 * chains and keys, checked to belong together, handed to GnuTLS at every
 * handshake so that a reload can replace them while serving. The one
 * file of http/ that uses GnuTLS directly.
 */
#include "http/tls.h"

#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/*
 * libmicrohttpd asks tls_retrieve for the certificate at every handshake
 * (MHD_OPTION_HTTPS_CERT_CALLBACK), so mf_http_reload can put new ones in place
 * while serving. GnuTLS keeps using what it was given for the whole handshake,
 * and the callback has no argument to hang a reference count on: replaced
 * credentials are kept (a few KB per reload) until the server stops. One daemon
 * a process.
 */
#define TLS_MAX_CHAIN 16

struct mf_tls_creds {
	struct mf_tls_creds *older; /* replaced ones, freed at stop */
	gnutls_pcert_st pcert[TLS_MAX_CHAIN];
	unsigned n;
	gnutls_privkey_t key;
};

static _Atomic(struct mf_tls_creds *) tls_current;

void
mf_tls_creds_free(struct mf_tls_creds *c)
{
	struct mf_tls_creds *older;
	unsigned i;

	for (; c != NULL; c = older) {
		older = c->older;
		for (i = 0; i < c->n; i++)
			gnutls_pcert_deinit(&c->pcert[i]);
		if (c->key != NULL)
			gnutls_privkey_deinit(c->key);
		free(c);
	}
}

/* Whether key is the private half of the certificate's public key. */
static bool
tls_key_matches(gnutls_privkey_t key, gnutls_pubkey_t cert_pub)
{
	gnutls_datum_t a = {NULL, 0}, b = {NULL, 0};
	gnutls_pubkey_t pub = NULL;
	bool same = false;

	if (gnutls_pubkey_init(&pub) == 0 &&
	    gnutls_pubkey_import_privkey(pub, key, 0, 0) == 0 &&
	    gnutls_pubkey_export2(pub, GNUTLS_X509_FMT_DER, &a) == 0 &&
	    gnutls_pubkey_export2(cert_pub, GNUTLS_X509_FMT_DER, &b) == 0)
		same = a.size == b.size && memcmp(a.data, b.data, a.size) == 0;
	gnutls_free(a.data);
	gnutls_free(b.data);
	if (pub != NULL)
		gnutls_pubkey_deinit(pub);
	return same;
}

/* Parses a PEM chain and key into *out; 0 or MF_E_BAD_PARAM / NOMEM. */
int
mf_tls_creds_load(struct mf_tls_creds **out, const char *cert_pem,
                  const char *key_pem, struct mf_error *err)
{
	gnutls_datum_t cert = {(unsigned char *)cert_pem,
	                       (unsigned)strlen(cert_pem)};
	gnutls_datum_t key = {(unsigned char *)key_pem,
	                      (unsigned)strlen(key_pem)};
	struct mf_tls_creds *c;
	int grc, rc = 0;

	*out = NULL;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
	c->n = TLS_MAX_CHAIN;
	if ((grc = gnutls_pcert_list_import_x509_raw(
	         c->pcert, &c->n, &cert, GNUTLS_X509_FMT_PEM, 0)) < 0) {
		c->n = 0;
		rc = mf_error_set(err, MF_E_BAD_PARAM, NULL,
		                  "TLS certificate: %s", gnutls_strerror(grc));
		goto done;
	}
	if ((grc = gnutls_privkey_init(&c->key)) < 0 ||
	    (grc = gnutls_privkey_import_x509_raw(
	         c->key, &key, GNUTLS_X509_FMT_PEM, NULL, 0)) < 0) {
		rc = mf_error_set(err, MF_E_BAD_PARAM, NULL, "TLS key: %s",
		                  gnutls_strerror(grc));
		goto done;
	}
	if (!tls_key_matches(c->key, c->pcert[0].pubkey)) {
		rc = mf_error_set(err, MF_E_BAD_PARAM, NULL,
		                  "the TLS key does not match the "
		                  "certificate");
		goto done;
	}
	*out = c;
	c = NULL;
done:
	mf_tls_creds_free(c);
	return rc;
}

static int
tls_retrieve(gnutls_session_t session, const gnutls_datum_t *req_ca_rdn,
             int nreqs, const gnutls_pk_algorithm_t *pk_algos,
             int pk_algos_length, gnutls_pcert_st **pcert,
             unsigned int *pcert_length, gnutls_privkey_t *privkey)
{
	struct mf_tls_creds *c = atomic_load(&tls_current);

	(void)session;
	(void)req_ca_rdn;
	(void)nreqs;
	(void)pk_algos;
	(void)pk_algos_length;
	if (c == NULL)
		return -1;
	*pcert = c->pcert;
	*pcert_length = c->n;
	*privkey = c->key;
	return 0;
}

void
mf_tls_install(struct mf_tls_creds *c)
{
	c->older = atomic_exchange(&tls_current, c);
}

bool
mf_tls_installed(void)
{
	return atomic_load(&tls_current) != NULL;
}

void
mf_tls_uninstall(void)
{
	mf_tls_creds_free(atomic_exchange(&tls_current, NULL));
}

void *
mf_tls_callback(void)
{
	gnutls_certificate_retrieve_function2 *cb = tls_retrieve;
	void *p;

	/* a function pointer as libmicrohttpd's void * (POSIX allows it;
	 * ISO C only through the bytes) */
	_Static_assert(sizeof(cb) == sizeof(p), "pointer sizes");
	memcpy(&p, &cb, sizeof(p));
	return p;
}
