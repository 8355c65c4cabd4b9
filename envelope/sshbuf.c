/*
 * SSH wire encoding helpers (see sshbuf.h). Every read is bounds-checked
 * against what is left, so hostile length prefixes cannot overrun.
 */
#include "envelope/sshbuf.h"
#include "common/error.h"

#include <string.h>

void
mf_sshbuf_init(struct mf_sshbuf *r, const void *p, size_t len)
{
	r->p = p;
	r->len = len;
	r->off = 0;
}

size_t
mf_sshbuf_left(const struct mf_sshbuf *r)
{
	return r->len - r->off;
}

int
mf_sshbuf_get_u32(struct mf_sshbuf *r, uint32_t *out)
{
	const uint8_t *q;

	if (mf_sshbuf_left(r) < 4)
		return -1;
	q = r->p + r->off;
	*out = (uint32_t)q[0] << 24 | (uint32_t)q[1] << 16 |
	       (uint32_t)q[2] << 8 | q[3];
	r->off += 4;
	return 0;
}

int
mf_sshbuf_get_raw(struct mf_sshbuf *r, const uint8_t **out, size_t n)
{
	if (mf_sshbuf_left(r) < n)
		return -1;
	*out = r->p + r->off;
	r->off += n;
	return 0;
}

int
mf_sshbuf_get_string(struct mf_sshbuf *r, const uint8_t **out, size_t *len)
{
	uint32_t n;
	size_t save = r->off;

	if (mf_sshbuf_get_u32(r, &n) != 0)
		return -1;
	if (mf_sshbuf_get_raw(r, out, n) != 0) {
		r->off = save;
		return -1;
	}
	*len = n;
	return 0;
}

int
mf_sshbuf_get_expect(struct mf_sshbuf *r, const char *want)
{
	const uint8_t *s;
	size_t n;

	if (mf_sshbuf_get_string(r, &s, &n) != 0)
		return -1;
	if (n != strlen(want) || memcmp(s, want, n) != 0)
		return -1;
	return 0;
}

int
mf_sshbuf_put_u32(struct mf_buf *b, uint32_t v)
{
	uint8_t q[4];

	q[0] = (uint8_t)(v >> 24);
	q[1] = (uint8_t)(v >> 16);
	q[2] = (uint8_t)(v >> 8);
	q[3] = (uint8_t)v;
	return mf_buf_append(b, q, sizeof(q));
}

int
mf_sshbuf_put_string(struct mf_buf *b, const void *p, size_t len)
{
	int rc;

	if (len > UINT32_MAX)
		return MF_E_TOO_LARGE;
	if ((rc = mf_sshbuf_put_u32(b, (uint32_t)len)) != 0)
		return rc;
	return len == 0 ? 0 : mf_buf_append(b, p, len);
}

int
mf_sshbuf_put_cstring(struct mf_buf *b, const char *s)
{
	return mf_sshbuf_put_string(b, s, strlen(s));
}
