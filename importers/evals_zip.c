/*
 * One member out of an in-memory ZIP archive (evals_zip.h), following
 * the archive's central directory (PKWARE APPNOTE 4.3.12 and 4.3.16)
 * rather than scanning local headers, so what is read is what the
 * archive lists.
 */
#include "importers/evals_zip.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define EOCD_SIG  0x06054b50u
#define CDIR_SIG  0x02014b50u
#define LOCAL_SIG 0x04034b50u
#define EOCD_LEN  22u
#define CDIR_LEN  46u
#define LOCAL_LEN 30u

static uint32_t
le16(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t
le32(const uint8_t *p)
{
	return le16(p) | le16(p + 2) << 16;
}

static int
damaged(struct mf_error *err, const char *what, const char *why)
{
	return mf_error_set(err, MF_E_BAD_REQUEST, "",
	                    "%s: not a readable ZIP archive: %s", what, why);
}

/* Inflates raw deflate data into exactly want bytes. */
static int
inflate_raw(uint8_t *dst, size_t want, const uint8_t *src, size_t n,
            const char *what, struct mf_error *err)
{
	z_stream z;
	int zr;

	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, -MAX_WBITS) != Z_OK)
		return mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
	z.next_in = (Bytef *)(uintptr_t)src;
	z.avail_in = (uInt)n;
	z.next_out = dst;
	z.avail_out = (uInt)want;
	zr = inflate(&z, Z_FINISH);
	inflateEnd(&z);
	if (zr != Z_STREAM_END || z.total_out != want)
		return damaged(err, what,
		               "a member does not inflate to its "
		               "listed size");
	return 0;
}

int
mf_zip_member(uint8_t **out, size_t *out_len, const uint8_t *zip, size_t len,
              const char *name, size_t max, const char *what,
              struct mf_error *err)
{
	size_t i, nlen = strlen(name), cd_off, cd_size, pos, entries, k;
	uint32_t method = 0, crc = 0, csize = 0, usize = 0, loff = 0;
	const uint8_t *data;
	uint8_t *buf = NULL;
	int found = 0, rc;

	*out = NULL;
	*out_len = 0;
	/* 1. The end-of-central-directory record: within the last 64 KiB. */
	if (len < EOCD_LEN)
		return damaged(err, what, "too short");
	for (i = len - EOCD_LEN;; i--) {
		if (le32(zip + i) == EOCD_SIG)
			break;
		if (i == 0 || len - i > 0xffffu + EOCD_LEN)
			return damaged(err, what, "no central directory");
	}
	entries = le16(zip + i + 10);
	cd_size = le32(zip + i + 12);
	cd_off = le32(zip + i + 16);
	if (cd_off > i || cd_size > i - cd_off)
		return damaged(err, what,
		               "the central directory is out of "
		               "bounds (or ZIP64, unsupported)");

	/* 2. The member's central directory entry. */
	for (pos = cd_off, k = 0; k < entries; k++) {
		size_t fn, ex, cm;

		if (pos + CDIR_LEN > cd_off + cd_size ||
		    le32(zip + pos) != CDIR_SIG)
			return damaged(err, what,
			               "a bad central directory "
			               "entry");
		fn = le16(zip + pos + 28);
		ex = le16(zip + pos + 30);
		cm = le16(zip + pos + 32);
		if (pos + CDIR_LEN + fn + ex + cm > cd_off + cd_size)
			return damaged(err, what,
			               "a bad central directory "
			               "entry");
		if (fn == nlen &&
		    memcmp(zip + pos + CDIR_LEN, name, nlen) == 0) {
			if (le16(zip + pos + 8) & 1u)
				return damaged(err, what, "encrypted member");
			method = le16(zip + pos + 10);
			crc = le32(zip + pos + 16);
			csize = le32(zip + pos + 20);
			usize = le32(zip + pos + 24);
			loff = le32(zip + pos + 42);
			found = 1;
			break;
		}
		pos += CDIR_LEN + fn + ex + cm;
	}
	if (!found)
		return mf_error_set(err, MF_E_NOT_FOUND, "",
		                    "%s: the archive has no %s", what, name);
	if (usize > max)
		return mf_error_set(err, MF_E_TOO_LARGE, "",
		                    "%s: %s is larger than %zu bytes", what,
		                    name, max);

	/* 3. Its data, after the local header. */
	if ((size_t)loff + LOCAL_LEN > cd_off || le32(zip + loff) != LOCAL_SIG)
		return damaged(err, what, "a bad local header");
	pos = (size_t)loff + LOCAL_LEN + le16(zip + loff + 26) +
	      le16(zip + loff + 28);
	if (pos > cd_off || csize > cd_off - pos)
		return damaged(err, what, "member data out of bounds");
	data = zip + pos;
	if ((buf = malloc((size_t)usize + 1)) == NULL)
		return mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
	if (method == 0) {
		if (csize != usize) {
			rc = damaged(err, what,
			             "a stored member's sizes "
			             "differ");
			goto fail;
		}
		memcpy(buf, data, usize);
	} else if (method == 8) {
		if ((rc = inflate_raw(buf, usize, data, csize, what, err)) != 0)
			goto fail;
	} else {
		rc = damaged(err, what,
		             "a compression method other than "
		             "stored or deflate");
		goto fail;
	}
	if (crc32(0L, buf, (uInt)usize) != crc) {
		rc = damaged(err, what, "a member's CRC-32 does not match");
		goto fail;
	}
	buf[usize] = '\0';
	*out = buf;
	*out_len = usize;
	return 0;
fail:
	free(buf);
	return rc;
}
