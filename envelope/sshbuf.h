/*
 * The SSH wire encoding (RFC 4251 §5: uint32 and length-prefixed string),
 * as used by public key blobs, OpenSSH private keys and SSHSIG. Readers
 * borrow the caller's bytes; writers append to a struct mf_buf.
 */
#ifndef MF_SSHBUF_H
#define MF_SSHBUF_H

#include "common/buf.h"

#include <stddef.h>
#include <stdint.h>

/* A cursor over bytes the caller owns and keeps alive. */
struct mf_sshbuf {
	const uint8_t *p;
	size_t len;
	size_t off;
};

void mf_sshbuf_init(struct mf_sshbuf *r, const void *p, size_t len);
/* Bytes not yet read. */
size_t mf_sshbuf_left(const struct mf_sshbuf *r);

/* Each getter returns 0, or -1 when the input is truncated or malformed. */
int mf_sshbuf_get_u32(struct mf_sshbuf *r, uint32_t *out);
/* Borrowed pointer into the input; *len is the string's length. */
int mf_sshbuf_get_string(struct mf_sshbuf *r, const uint8_t **out, size_t *len);
/* Reads a string and checks that it equals the NUL-terminated `want`. */
int mf_sshbuf_get_expect(struct mf_sshbuf *r, const char *want);
/* Raw bytes without a length prefix. */
int mf_sshbuf_get_raw(struct mf_sshbuf *r, const uint8_t **out, size_t n);

/* Writers return 0, MF_E_NOMEM or MF_E_TOO_LARGE (from struct mf_buf). */
int mf_sshbuf_put_u32(struct mf_buf *b, uint32_t v);
int mf_sshbuf_put_string(struct mf_buf *b, const void *p, size_t len);
int mf_sshbuf_put_cstring(struct mf_buf *b, const char *s);

#endif
