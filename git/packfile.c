/*
 * Pack files and their version 2 indexes, written by the git layer itself
 * (gitformat-pack(5)); libgit2's pack builder deflated every object at
 * zlib's default level after its own delta search, and merging packs
 * through it inflated and deflated everything again: most of the
 * publisher's time (bench/publish/RESULTS.md). The writer stores four
 * kinds of entry, each deflated at most once, at zlib level 1:
 *   - a whole object (mf_gitrepo_packw_add);
 *   - a delta the caller computed against another object of the same
 *     pack, stored as a REF_DELTA that names its base by id
 *     (mf_gitrepo_packw_add_delta; packobjects.c finds them, delta.c
 *     encodes them);
 *   - another pack's offset delta, its deflated bytes kept as they are
 *     but rewritten to name its base by id (mf_gitrepo_packw_ref_delta);
 *   - another pack's entry copied byte for byte, checked against the
 *     CRC-32 its index records (mf_gitrepo_packw_copy).
 * Deltas always name their base by id, never by offset, so entries can be
 * copied into another pack in any order (merge.c). The index is written
 * last and renamed into place after the pack: a reader uses a pack only
 * once its index exists. The index reader serves merging.
 */
#include "git/packfile.h"
#include "git/repo.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

/*
 * zlib level 1: about four times faster than the default 6 on our
 * JSON, Markdown and base64 files, for packs about 10% larger (see
 * bench/publish/RESULTS.md). `git repack -a -d -f` recompresses offline.
 */
#define PACK_ZLIB_LEVEL 1
/* Bytes gathered before a write(2). */
#define WRITE_CHUNK (256u * 1024)
#define SHA1_LEN    20
/* the entry type of a delta that names its base by object id */
#define PACK_REF_DELTA 7

/* What the index needs about one object written. */
struct packw_obj {
	git_oid id;
	uint32_t crc;
	uint64_t offset;
};

struct mf_gitrepo_packw {
	int fd;
	bool fsync;
	char dir[4096];
	char tmp[4200]; /* objects/pack/tmp_pack_XXXXXX until renamed */
	EVP_MD_CTX *sha;
	uint64_t offset;       /* bytes of pack so far */
	struct mf_buf pending; /* not yet written */
	struct packw_obj *objs;
	size_t n, expected;
	z_stream z;
	bool z_ready;
	unsigned char *zbuf;
	size_t zcap;
};

static void
put_be32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static uint32_t
get_be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static int
write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	ssize_t w;

	while (len > 0) {
		if ((w = write(fd, p, len)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

static int
drain(struct mf_gitrepo_packw *w, struct mf_error *err)
{
	if (w->pending.len > 0 &&
	    write_all(w->fd, w->pending.data, w->pending.len) != 0)
		return mf_error_set(err, MF_E_IO, NULL, "write %s: %s", w->tmp,
		                    strerror(errno));
	mf_buf_clear(&w->pending);
	return 0;
}

/* Appends pack bytes: hashed for the trailer, written in chunks. */
static int
put(struct mf_gitrepo_packw *w, const void *data, size_t len,
    struct mf_error *err)
{
	if (EVP_DigestUpdate(w->sha, data, len) != 1)
		return mf_error_set(err, MF_E_INTERNAL, NULL, "SHA-1 failed");
	if (mf_buf_append(&w->pending, data, len) != 0)
		return mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
	w->offset += len;
	return w->pending.len >= WRITE_CHUNK ? drain(w, err) : 0;
}

int
mf_gitrepo_packw_open(struct mf_gitrepo_packw **out, const char *dir,
                      size_t count, bool fsync, struct mf_error *err)
{
	struct mf_gitrepo_packw *w;
	unsigned char hdr[12] = {'P', 'A', 'C', 'K'};
	int rc;

	*out = NULL;
	if ((w = calloc(1, sizeof(*w))) == NULL ||
	    (count > 0 &&
	     (w->objs = calloc(count, sizeof(*w->objs))) == NULL)) {
		free(w);
		return mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
	}
	w->fd = -1;
	w->fsync = fsync;
	w->expected = count;
	mf_buf_init(&w->pending, 0);
	snprintf(w->dir, sizeof(w->dir), "%s", dir);
	snprintf(w->tmp, sizeof(w->tmp), "%s/tmp_pack_XXXXXX", dir);
	if ((w->sha = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(w->sha, EVP_sha1(), NULL) != 1) {
		rc = mf_error_set(err, MF_E_INTERNAL, NULL, "SHA-1 failed");
		goto fail;
	}
	if ((w->fd = mkstemp(w->tmp)) < 0) {
		rc = mf_error_set(err, MF_E_IO, NULL, "create %s: %s", w->tmp,
		                  strerror(errno));
		goto fail;
	}
	put_be32(hdr + 4, 2);
	put_be32(hdr + 8, (uint32_t)count);
	if ((rc = put(w, hdr, sizeof(hdr), err)) != 0)
		goto fail;
	*out = w;
	return 0;
fail:
	mf_gitrepo_packw_free(w);
	return rc;
}

void
mf_gitrepo_packw_free(struct mf_gitrepo_packw *w)
{
	if (w == NULL)
		return;
	if (w->fd >= 0) { /* not finished: nothing of it may stay */
		close(w->fd);
		unlink(w->tmp);
	}
	if (w->z_ready)
		deflateEnd(&w->z);
	EVP_MD_CTX_free(w->sha);
	mf_buf_dispose(&w->pending);
	free(w->zbuf);
	free(w->objs);
	free(w);
}

static int
note(struct mf_gitrepo_packw *w, const git_oid *id, uint32_t crc,
     uint64_t offset, struct mf_error *err)
{
	if (w->n == w->expected)
		return mf_error_set(err, MF_E_INTERNAL, NULL,
		                    "more objects than the pack announced");
	git_oid_cpy(&w->objs[w->n].id, id);
	w->objs[w->n].crc = crc;
	w->objs[w->n].offset = offset;
	w->n++;
	return 0;
}

/* An entry's header: type and inflated size, 7 bits a byte after 4. */
static size_t
entry_header(unsigned char *out, git_object_t type, size_t size)
{
	size_t n = 0;
	unsigned char c =
	    (unsigned char)(((unsigned)type & 7) << 4 | (size & 15));

	size >>= 4;
	while (size > 0) {
		out[n++] = c | 0x80;
		c = size & 0x7f;
		size >>= 7;
	}
	out[n++] = c;
	return n;
}

/* Deflates len bytes of data into w->zbuf; *zlen gets the size. */
static int
squeeze(struct mf_gitrepo_packw *w, const void *data, size_t len, size_t *zlen,
        struct mf_error *err)
{
	size_t bound;

	if (!w->z_ready) {
		memset(&w->z, 0, sizeof(w->z));
		if (deflateInit(&w->z, PACK_ZLIB_LEVEL) != Z_OK)
			return mf_error_set(err, MF_E_NOMEM, NULL,
			                    "zlib: out of memory");
		w->z_ready = true;
	} else if (deflateReset(&w->z) != Z_OK) {
		return mf_error_set(err, MF_E_INTERNAL, NULL, "zlib reset");
	}
	bound = deflateBound(&w->z, (uLong)len);
	if (bound > w->zcap) {
		unsigned char *b = realloc(w->zbuf, bound);

		if (b == NULL)
			return mf_error_set(err, MF_E_NOMEM, NULL,
			                    "out of memory");
		w->zbuf = b;
		w->zcap = bound;
	}
	w->z.next_in = (Bytef *)(uintptr_t)data;
	w->z.avail_in = (uInt)len;
	w->z.next_out = w->zbuf;
	w->z.avail_out = (uInt)w->zcap;
	if (len > UINT32_MAX || deflate(&w->z, Z_FINISH) != Z_STREAM_END)
		return mf_error_set(err, MF_E_INTERNAL, NULL,
		                    "cannot deflate an object");
	*zlen = w->z.total_out;
	return 0;
}

/*
 * One entry: its header (type and inflated size), for a delta the id of
 * its base, then the deflated data; the CRC-32 covers all of it.
 */
static int
put_entry(struct mf_gitrepo_packw *w, const git_oid *id, unsigned type,
          size_t size, const git_oid *base, const void *zdata, size_t zlen,
          struct mf_error *err)
{
	unsigned char hdr[16 + SHA1_LEN];
	size_t hlen = entry_header(hdr, (git_object_t)type, size);
	uint64_t at = w->offset;
	uint32_t crc;
	int rc;

	if (base != NULL) {
		memcpy(hdr + hlen, base->id, SHA1_LEN);
		hlen += SHA1_LEN;
	}
	crc = (uint32_t)crc32(crc32(0, hdr, (uInt)hlen), zdata, (uInt)zlen);
	if ((rc = note(w, id, crc, at, err)) != 0 ||
	    (rc = put(w, hdr, hlen, err)) != 0)
		return rc;
	return put(w, zdata, zlen, err);
}

int
mf_gitrepo_packw_add(struct mf_gitrepo_packw *w, const git_oid *id,
                     git_object_t type, const void *data, size_t len,
                     struct mf_error *err)
{
	size_t zlen;
	int rc;

	if ((rc = squeeze(w, data, len, &zlen, err)) != 0)
		return rc;
	return put_entry(w, id, (unsigned)type, len, NULL, w->zbuf, zlen, err);
}

int
mf_gitrepo_packw_add_delta(struct mf_gitrepo_packw *w, const git_oid *id,
                           const git_oid *base, const void *delta, size_t len,
                           struct mf_error *err)
{
	size_t zlen;
	int rc;

	if ((rc = squeeze(w, delta, len, &zlen, err)) != 0)
		return rc;
	return put_entry(w, id, PACK_REF_DELTA, len, base, w->zbuf, zlen, err);
}

int
mf_gitrepo_packw_ref_delta(struct mf_gitrepo_packw *w, const git_oid *id,
                           const git_oid *base, size_t size, const void *zdata,
                           size_t zlen, struct mf_error *err)
{
	return put_entry(w, id, PACK_REF_DELTA, size, base, zdata, zlen, err);
}

int
mf_gitrepo_packw_copy(struct mf_gitrepo_packw *w, const git_oid *id,
                      const void *entry, size_t len, uint32_t crc,
                      struct mf_error *err)
{
	char hex[MF_GITREPO_ID_SIZE];
	int rc;

	if ((uint32_t)crc32(0, entry, (uInt)len) != crc) {
		git_oid_tostr(hex, sizeof(hex), id);
		return mf_error_set(err, MF_E_IO, NULL,
		                    "object %s is damaged in its pack", hex);
	}
	if ((rc = note(w, id, crc, w->offset, err)) != 0)
		return rc;
	return put(w, entry, len, err);
}

static int
cmp_obj(const void *a, const void *b)
{
	return git_oid_cmp(&((const struct packw_obj *)a)->id,
	                   &((const struct packw_obj *)b)->id);
}

/* The .idx (version 2) of what w wrote, into idx. */
static int
build_index(struct mf_gitrepo_packw *w, const unsigned char pack_sha[SHA1_LEN],
            struct mf_buf *idx)
{
	unsigned char b[8], sha[SHA1_LEN];
	uint32_t fanout[256] = {0}, nlarge = 0;
	unsigned hlen = 0;
	size_t i;
	int rc;

	qsort(w->objs, w->n, sizeof(*w->objs), cmp_obj);
	for (i = 0; i < w->n; i++)
		fanout[w->objs[i].id.id[0]]++;
	for (i = 1; i < 256; i++)
		fanout[i] += fanout[i - 1];
	rc = mf_buf_append(idx, "\377tOc\0\0\0\2", 8);
	for (i = 0; i < 256 && rc == 0; i++) {
		put_be32(b, fanout[i]);
		rc = mf_buf_append(idx, b, 4);
	}
	for (i = 0; i < w->n && rc == 0; i++)
		rc = mf_buf_append(idx, w->objs[i].id.id, SHA1_LEN);
	for (i = 0; i < w->n && rc == 0; i++) {
		put_be32(b, w->objs[i].crc);
		rc = mf_buf_append(idx, b, 4);
	}
	/* offsets past 2 GiB go to a table of 8-byte offsets */
	for (i = 0; i < w->n && rc == 0; i++) {
		uint64_t off = w->objs[i].offset;

		put_be32(b, off < 0x80000000u ? (uint32_t)off
		                              : 0x80000000u | nlarge++);
		rc = mf_buf_append(idx, b, 4);
	}
	for (i = 0; i < w->n && rc == 0; i++) {
		uint64_t off = w->objs[i].offset;

		if (off < 0x80000000u)
			continue;
		put_be32(b, (uint32_t)(off >> 32));
		put_be32(b + 4, (uint32_t)off);
		rc = mf_buf_append(idx, b, 8);
	}
	if (rc == 0)
		rc = mf_buf_append(idx, pack_sha, SHA1_LEN);
	if (rc == 0 &&
	    EVP_Digest(idx->data, idx->len, sha, &hlen, EVP_sha1(), NULL) != 1)
		rc = MF_E_INTERNAL;
	if (rc == 0)
		rc = mf_buf_append(idx, sha, SHA1_LEN);
	return rc;
}

/* Writes data to a new temporary file in dir and renames it to path. */
static int
write_file(const char *dir, const char *path, const void *data, size_t len,
           bool fsync_it, struct mf_error *err)
{
	char tmp[4200];
	int fd, rc = 0;

	snprintf(tmp, sizeof(tmp), "%s/tmp_idx_XXXXXX", dir);
	if ((fd = mkstemp(tmp)) < 0)
		return mf_error_set(err, MF_E_IO, NULL, "create %s: %s", tmp,
		                    strerror(errno));
	if (write_all(fd, data, len) != 0 || fchmod(fd, 0444) != 0 ||
	    (fsync_it && fsync(fd) != 0))
		rc = mf_error_set(err, MF_E_IO, NULL, "write %s: %s", tmp,
		                  strerror(errno));
	if (close(fd) != 0 && rc == 0)
		rc = mf_error_set(err, MF_E_IO, NULL, "close %s: %s", tmp,
		                  strerror(errno));
	if (rc == 0 && rename(tmp, path) != 0)
		rc = mf_error_set(err, MF_E_IO, NULL, "rename to %s: %s", path,
		                  strerror(errno));
	if (rc != 0)
		unlink(tmp);
	return rc;
}

/*
 * The trailer, then pack-<sha>.pack and, renamed last because readers
 * only use a pack whose index exists, pack-<sha>.idx. w is spent.
 */
int
mf_gitrepo_packw_finish(struct mf_gitrepo_packw *w, char name[46],
                        struct mf_error *err)
{
	unsigned char sha[SHA1_LEN];
	char path[4300], hex[2 * SHA1_LEN + 1];
	struct mf_buf idx = MF_BUF_INIT;
	unsigned hlen = 0;
	size_t i;
	int rc, fd;

	name[0] = '\0';
	if (w->n != w->expected)
		return mf_error_set(err, MF_E_INTERNAL, NULL,
		                    "the pack announced %zu objects, not %zu",
		                    w->expected, w->n);
	if (EVP_DigestFinal_ex(w->sha, sha, &hlen) != 1)
		return mf_error_set(err, MF_E_INTERNAL, NULL, "SHA-1 failed");
	if (mf_buf_append(&w->pending, sha, SHA1_LEN) != 0)
		return mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
	if ((rc = drain(w, err)) != 0)
		return rc;
	for (i = 0; i < SHA1_LEN; i++)
		snprintf(hex + 2 * i, 3, "%02x", sha[i]);
	snprintf(path, sizeof(path), "%s/pack-%s.pack", w->dir, hex);
	fd = w->fd;
	w->fd = -1;
	if (fchmod(fd, 0444) != 0 || (w->fsync && fsync(fd) != 0)) {
		rc = mf_error_set(err, MF_E_IO, NULL, "finish %s: %s", w->tmp,
		                  strerror(errno));
		close(fd);
		unlink(w->tmp);
		return rc;
	}
	if (close(fd) != 0 || rename(w->tmp, path) != 0) {
		rc = mf_error_set(err, MF_E_IO, NULL, "rename to %s: %s", path,
		                  strerror(errno));
		unlink(w->tmp);
		return rc;
	}
	if (build_index(w, sha, &idx) != 0) {
		mf_buf_dispose(&idx);
		return mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
	}
	snprintf(path, sizeof(path), "%s/pack-%s.idx", w->dir, hex);
	rc = write_file(w->dir, path, idx.data, idx.len, w->fsync, err);
	mf_buf_dispose(&idx);
	if (rc != 0) { /* a pack without its index is never used: drop it */
		snprintf(path, sizeof(path), "%s/pack-%s.pack", w->dir, hex);
		unlink(path);
	}
	if (rc == 0 && w->fsync && (fd = open(w->dir, O_RDONLY)) >= 0) {
		fsync(fd); /* the renames */
		close(fd);
	}
	if (rc == 0)
		snprintf(name, 46, "pack-%s", hex);
	return rc;
}

int
mf_gitrepo_idx_read(const char *path, struct mf_gitrepo_idx_entry **out,
                    size_t *nout, struct mf_error *err)
{
	struct mf_gitrepo_idx_entry *v = NULL;
	unsigned char *p = NULL;
	const unsigned char *names, *crcs, *offs, *large;
	struct stat st;
	size_t n, i;
	int fd, rc = 0;

	*out = NULL;
	*nout = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 || fstat(fd, &st) != 0)
		goto io;
	if ((p = malloc(st.st_size > 0 ? (size_t)st.st_size : 1)) == NULL) {
		close(fd);
		return mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
	}
	if (pread(fd, p, (size_t)st.st_size, 0) != st.st_size)
		goto io;
	close(fd);
	fd = -1;
	/* version 2 only: v1 indexes come from git older than 1.5.2 */
	if (st.st_size < 8 + 1024 + 40 || memcmp(p, "\377tOc\0\0\0\2", 8) != 0)
		goto bad;
	n = get_be32(p + 8 + 255 * 4);
	names = p + 8 + 1024;
	crcs = names + n * SHA1_LEN;
	offs = crcs + n * 4;
	large = offs + n * 4;
	if ((size_t)st.st_size < (size_t)(large - p) + 40)
		goto bad;
	if ((v = calloc(n ? n : 1, sizeof(*v))) == NULL) {
		free(p);
		return mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
	}
	for (i = 0; i < n; i++) {
		uint32_t o = get_be32(offs + 4 * i);

		memcpy(v[i].id.id, names + SHA1_LEN * i, SHA1_LEN);
		v[i].crc = get_be32(crcs + 4 * i);
		if (o & 0x80000000u) {
			size_t k = o & 0x7fffffffu;

			if ((size_t)st.st_size <
			    (size_t)(large - p) + 8 * k + 8 + 40)
				goto bad;
			v[i].offset = (uint64_t)get_be32(large + 8 * k) << 32 |
			              get_be32(large + 8 * k + 4);
		} else {
			v[i].offset = o;
		}
	}
	*out = v;
	*nout = n;
	free(p);
	return 0;
io:
	rc = mf_error_set(err, MF_E_IO, NULL, "read %s: %s", path,
	                  strerror(errno));
	if (fd >= 0)
		close(fd);
	free(p);
	return rc;
bad:
	free(v);
	free(p);
	return mf_error_set(err, MF_E_IO, NULL,
	                    "%s is not a version 2 pack index", path);
}
