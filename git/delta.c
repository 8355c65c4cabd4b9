/*
 * Git's binary delta format (gitformat-pack(5), "Deltified representation"),
 * encoded: a target object as copies from a base object and inserted
 * bytes. The base is indexed by the hash of every 16-byte block at a
 * multiple of 16; the target is scanned byte by byte for a block that
 * matches, which is then extended both ways. Simple, linear, and enough
 * for versions of the same file, which is what packobjects.c offers.
 */
#include "git/delta.h"
#include "common/error.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK 16
/* git's largest copy per instruction (a size of 0 in a copy means this) */
#define MAX_COPY   0x10000
#define MAX_INSERT 127

static uint32_t
block_hash(const unsigned char *p, unsigned bits)
{
	uint64_t a, b;

	memcpy(&a, p, 8);
	memcpy(&b, p + 8, 8);
	return (uint32_t)(((a * 0x9e3779b97f4a7c15ull) ^
	                   (b * 0xc2b2ae3d27d4eb4full)) >>
	                  (64 - bits));
}

static int
put_varint(struct mf_buf *out, size_t v)
{
	unsigned char b[10];
	size_t n = 0;

	do {
		b[n] = v & 0x7f;
		v >>= 7;
		if (v != 0)
			b[n] |= 0x80;
		n++;
	} while (v != 0);
	return mf_buf_append(out, b, n);
}

static int
put_insert(struct mf_buf *out, const unsigned char *p, size_t n)
{
	unsigned char len;
	int rc = 0;

	while (n > 0 && rc == 0) {
		len = (unsigned char)(n > MAX_INSERT ? MAX_INSERT : n);
		if ((rc = mf_buf_append(out, &len, 1)) == 0)
			rc = mf_buf_append(out, p, len);
		p += len;
		n -= len;
	}
	return rc;
}

/* One copy instruction: only the non-zero bytes of offset and size. */
static int
put_copy(struct mf_buf *out, size_t off, size_t n)
{
	unsigned char b[8];
	size_t k = 1, i;
	int rc = 0;

	while (n > 0 && rc == 0) {
		size_t len = n > MAX_COPY ? MAX_COPY : n;

		b[0] = 0x80;
		k = 1;
		for (i = 0; i < 4; i++)
			if ((off >> (8 * i)) & 0xff) {
				b[0] |= (unsigned char)(1u << i);
				b[k++] = (unsigned char)(off >> (8 * i));
			}
		for (i = 0; i < 3 && len < MAX_COPY; i++)
			if ((len >> (8 * i)) & 0xff) {
				b[0] |= (unsigned char)(0x10u << i);
				b[k++] = (unsigned char)(len >> (8 * i));
			}
		rc = mf_buf_append(out, b, k);
		off += len;
		n -= len;
	}
	return rc;
}

int
mf_gitrepo_delta(struct mf_buf *out, const void *base, size_t blen,
                 const void *target, size_t tlen, size_t max)
{
	const unsigned char *src = base, *tgt = target;
	size_t nblocks = blen / BLOCK, slots = 1, i, pos = 0, ins = 0;
	unsigned bits = 0;
	uint32_t *table;
	int rc;

	mf_buf_clear(out);
	/* offsets are 32 bits in a copy instruction */
	if (nblocks == 0 || tlen < BLOCK || blen > UINT32_MAX)
		return 1;
	while (slots < 2 * nblocks) {
		slots <<= 1;
		bits++;
	}
	if ((table = malloc(slots * sizeof(*table))) == NULL)
		return MF_E_NOMEM;
	memset(table, 0xff, slots * sizeof(*table));
	/* the first block of a hash wins: earlier copies keep offsets small */
	for (i = nblocks; i > 0; i--)
		table[block_hash(src + (i - 1) * BLOCK, bits)] =
		    (uint32_t)((i - 1) * BLOCK);
	if ((rc = put_varint(out, blen)) != 0 ||
	    (rc = put_varint(out, tlen)) != 0)
		goto done;
	while (pos + BLOCK <= tlen) {
		uint32_t at = table[block_hash(tgt + pos, bits)];
		size_t s, len;

		if (at == UINT32_MAX ||
		    memcmp(src + at, tgt + pos, BLOCK) != 0) {
			pos++;
			continue;
		}
		s = at;
		len = BLOCK;
		while (s + len < blen && pos + len < tlen &&
		       src[s + len] == tgt[pos + len])
			len++;
		/* take back what the pending insert shares with the base */
		while (s > 0 && pos > ins && src[s - 1] == tgt[pos - 1]) {
			s--;
			pos--;
			len++;
		}
		if ((rc = put_insert(out, tgt + ins, pos - ins)) != 0 ||
		    (rc = put_copy(out, s, len)) != 0)
			goto done;
		pos += len;
		ins = pos;
		if (out->len > max) {
			rc = 1;
			goto done;
		}
	}
	rc = put_insert(out, tgt + ins, tlen - ins);
	if (rc == 0 && out->len > max)
		rc = 1;
done:
	free(table);
	if (rc != 0)
		mf_buf_clear(out);
	return rc;
}
