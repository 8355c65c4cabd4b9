/*
 * C2SP tlog-proof files (see tlog_proof.h): one writer and one strict
 * reader, shared by `verify-log proof --write` and `verify-log proof`.
 */
#include "merkle/tlog_proof.h"
#include "common/encoding.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

void
mf_tlog_proof_dispose(struct mf_tlog_proof *p)
{
	free(p->extra);
	memset(p, 0, sizeof(*p));
}

/* Appends padded standard base64 of in[0..n) and a newline. */
static int
put_b64(struct mf_buf *b, const uint8_t *in, size_t n)
{
	char *s = mf_base64_encode_alloc(in, n);
	int rc;

	if (s == NULL)
		return MF_E_NOMEM;
	rc = mf_buf_puts(b, s) == 0 && mf_buf_putc(b, '\n') == 0 ? 0
	                                                         : MF_E_NOMEM;
	free(s);
	return rc;
}

int
mf_tlog_proof_format(struct mf_buf *b, const uint8_t *extra, size_t extra_len,
                     uint64_t index, const uint8_t (*path)[MF_MERKLE_HASH_LEN],
                     size_t n, const char *checkpoint, size_t checkpoint_len)
{
	size_t i;
	int rc;

	if (n > MF_MERKLE_MAX_PROOF || checkpoint_len == 0)
		return MF_E_BAD_PARAM;
	/* 1. Header, extra, index. */
	if ((rc = mf_buf_puts(b, MF_TLOG_PROOF_HEADER "\n")) != 0 ||
	    (extra != NULL && ((rc = mf_buf_puts(b, "extra ")) != 0 ||
	                       (rc = put_b64(b, extra, extra_len)) != 0)) ||
	    (rc = mf_buf_printf(b, "index %" PRIu64 "\n", index)) != 0)
		return MF_E_NOMEM;
	/* 2. The audit path, one hash a line. */
	for (i = 0; i < n; i++)
		if ((rc = put_b64(b, path[i], MF_MERKLE_HASH_LEN)) != 0)
			return rc;
	/* 3. An empty line and the checkpoint, verbatim. */
	if (mf_buf_putc(b, '\n') != 0 ||
	    mf_buf_append(b, checkpoint, checkpoint_len) != 0)
		return MF_E_NOMEM;
	return 0;
}

/* Canonical padded standard base64 of s[0..n) into a new buffer. */
static int
strict_b64(uint8_t **out, size_t *out_len, const char *s, size_t n)
{
	char *again;
	int ok;

	*out = NULL;
	if (n == 0 || mf_base64_decode(out, out_len, s, n) != 0)
		return -1;
	again = mf_base64_encode_alloc(*out, *out_len);
	ok = again != NULL && strlen(again) == n && memcmp(again, s, n) == 0;
	free(again);
	if (!ok) {
		free(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}

int
mf_tlog_proof_parse(struct mf_tlog_proof *p, const char *text, size_t len,
                    struct mf_error *err)
{
	const char *s = text, *end = text + len, *nl;
	uint8_t *raw;
	size_t n, rawlen, line = 1;
	const char *d;

	memset(p, 0, sizeof(*p));
	if (len > MF_TLOG_PROOF_MAX || memchr(text, '\0', len) != NULL)
		goto bad;
#define NEXT_LINE()                                                            \
	((nl = memchr(s, '\n', (size_t)(end - s))) != NULL                     \
	 ? (n = (size_t)(nl - s)),                                             \
	 1 : 0)
	/* 1. The header line. */
	if (!NEXT_LINE() || n != strlen(MF_TLOG_PROOF_HEADER) ||
	    memcmp(s, MF_TLOG_PROOF_HEADER, n) != 0)
		goto bad;
	s = nl + 1;
	line++;
	/* 2. An optional extra line. */
	if (!NEXT_LINE())
		goto bad;
	if (n >= 6 && memcmp(s, "extra ", 6) == 0) {
		if (strict_b64(&p->extra, &p->extra_len, s + 6, n - 6) != 0)
			goto bad;
		s = nl + 1;
		line++;
		if (!NEXT_LINE())
			goto bad;
	}
	/* 3. The index: decimal, no leading zeros, fits 63 bits. */
	if (n < 7 || n > 6 + 19 || memcmp(s, "index ", 6) != 0 ||
	    (n > 7 && s[6] == '0'))
		goto bad;
	for (d = s + 6; d < nl; d++) {
		if (*d < '0' || *d > '9')
			goto bad;
		p->index = p->index * 10 + (uint64_t)(*d - '0');
	}
	if (p->index >= (UINT64_C(1) << 63))
		goto bad;
	s = nl + 1;
	line++;
	/* 4. Hash lines up to the empty line. */
	for (;;) {
		if (!NEXT_LINE())
			goto bad;
		if (n == 0)
			break;
		if (p->n == MF_MERKLE_MAX_PROOF ||
		    strict_b64(&raw, &rawlen, s, n) != 0)
			goto bad;
		if (rawlen != MF_MERKLE_HASH_LEN) {
			free(raw);
			goto bad;
		}
		memcpy(p->path[p->n++], raw, MF_MERKLE_HASH_LEN);
		free(raw);
		s = nl + 1;
		line++;
	}
#undef NEXT_LINE
	/* 5. The checkpoint: the rest, verbatim. */
	p->checkpoint = nl + 1;
	p->checkpoint_len = (size_t)(end - (nl + 1));
	if (p->checkpoint_len == 0) {
		line++;
		goto bad;
	}
	return 0;
bad:
	free(p->extra);
	memset(p, 0, sizeof(*p));
	return mf_error_set(err, MF_E_BAD_NOTE, NULL,
	                    "not a c2sp.org/tlog-proof@v1 file (line %zu)",
	                    line);
}
