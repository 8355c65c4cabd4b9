/*
 * DSSE v1 envelopes (secure-systems-lab/dsse): strict parsing of untrusted
 * envelope bytes, the pre-authentication encoding (PAE) that signatures
 * cover, and encoding a new envelope for the CLI's `sign`.
 *
 * The decoded payload is kept byte for byte as it was signed; nothing here
 * re-serialises signed bytes. A struct mf_dsse owns all its memory;
 * mf_dsse_free releases it.
 */
#ifndef MF_DSSE_H
#define MF_DSSE_H

#include "common/error.h"

#include <stddef.h>
#include <stdint.h>

#define MF_DSSE_MAX_SIGNATURES   8
#define MF_DSSE_MAX_TYPE_LEN     256
#define MF_DSSE_MAX_KEYID_LEN    128
#define MF_DSSE_MAX_SIG_LEN      4096 /* decoded; RSA-8192 is 1024 bytes */
#define MF_DSSE_DEFAULT_MAX_SIZE (4u << 20)

struct mf_dsse_sig {
	char *keyid;  /* owned, NUL-terminated; a lookup hint only */
	uint8_t *sig; /* owned, decoded signature bytes */
	size_t sig_len;
};

struct mf_dsse {
	char *payload_type; /* owned, NUL-terminated */
	uint8_t *payload;   /* owned, decoded; a NUL follows the data */
	size_t payload_len;
	struct mf_dsse_sig *sigs; /* owned array of n_sigs */
	size_t n_sigs;
};

/*
 * Parses envelope bytes: a JSON object with exactly "payloadType" (string),
 * "payload" (base64, either alphabet) and "signatures" (1..8 objects with
 * exactly "keyid" (non-empty string) and "sig" (non-empty base64)).
 * Duplicate keys and unknown members are rejected. Errors carry a JSON
 * pointer: MF_E_BAD_JSON, MF_E_DUPLICATE_KEY, MF_E_BAD_UTF8,
 * MF_E_BAD_BASE64, MF_E_ENVELOPE, MF_E_TOO_LARGE, MF_E_NOMEM.
 * max_size bounds the text (0: MF_DSSE_DEFAULT_MAX_SIZE).
 */
int mf_dsse_parse(struct mf_dsse **out, const char *text, size_t len,
                  size_t max_size, struct mf_error *err);
void mf_dsse_free(struct mf_dsse *env);

/*
 * PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body,
 * LEN as ASCII decimal without leading zeros. *out is new (free() it).
 */
int mf_dsse_pae(uint8_t **out, size_t *out_len, const char *type,
                size_t type_len, const uint8_t *body, size_t body_len);

/*
 * Encodes {"payloadType":..,"payload":..,"signatures":[{"keyid":..,
 * "sig":..}...]} with standard padded base64; *out is a new string.
 */
int mf_dsse_encode(char **out, const char *payload_type, const uint8_t *payload,
                   size_t payload_len, const struct mf_dsse_sig *sigs,
                   size_t n_sigs);

#endif
