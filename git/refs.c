/*
 * The files a dumb-HTTP client reads (info/refs, objects/info/packs), kept
 * current with write-to-temporary + rename, and packing of loose objects
 * in an order that never leaves a concurrent clone without an object.
 */
#include "git/internal.h"
#include "common/diag.h"

#include <git2/sys/mempack.h>
#include <git2/sys/odb_backend.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int
cmp_ref(const void *a, const void *b)
{
	return strcmp(((const struct mf_gitrepo_ref *)a)->name,
	              ((const struct mf_gitrepo_ref *)b)->name);
}

/* Index of name in the cache, or -(insertion point) - 1. */
static long
refs_find(const struct mf_gitrepo *r, const char *name)
{
	size_t lo = 0, hi = r->nrefs, mid;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = strcmp(r->refs[mid].name, name);
		if (c == 0)
			return (long)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -(long)lo - 1;
}

int
mf_gitrepo_refs_set(struct mf_gitrepo *r, const char *name, const git_oid *id,
                    const git_oid *peeled)
{
	struct mf_gitrepo_ref *e, *v;
	long at = refs_find(r, name);
	size_t pos;

	if (at >= 0) {
		e = &r->refs[at];
	} else {
		pos = (size_t)(-at - 1);
		if (r->nrefs == r->caprefs) {
			size_t cap = r->caprefs ? r->caprefs * 2 : 16;

			if ((v = realloc(r->refs, cap * sizeof(*v))) == NULL)
				return MF_E_NOMEM;
			r->refs = v;
			r->caprefs = cap;
		}
		memmove(&r->refs[pos + 1], &r->refs[pos],
		        (r->nrefs - pos) * sizeof(*r->refs));
		e = &r->refs[pos];
		if ((e->name = strdup(name)) == NULL) {
			memmove(&r->refs[pos], &r->refs[pos + 1],
			        (r->nrefs - pos) * sizeof(*r->refs));
			return MF_E_NOMEM;
		}
		r->nrefs++;
	}
	git_oid_cpy(&e->id, id);
	e->has_peeled = peeled != NULL;
	if (peeled != NULL)
		git_oid_cpy(&e->peeled, peeled);
	return 0;
}

static void
refs_clear(struct mf_gitrepo *r)
{
	size_t i;

	for (i = 0; i < r->nrefs; i++)
		free(r->refs[i].name);
	r->nrefs = 0;
}

const struct mf_gitrepo_ref *
mf_gitrepo_refs_get(const struct mf_gitrepo *r, const char *name)
{
	long at = refs_find(r, name);

	return at >= 0 ? &r->refs[at] : NULL;
}

void
mf_gitrepo_refs_unset(struct mf_gitrepo *r, const char *name)
{
	long at = refs_find(r, name);

	if (at < 0)
		return;
	free(r->refs[at].name);
	memmove(&r->refs[at], &r->refs[at + 1],
	        (r->nrefs - (size_t)at - 1) * sizeof(*r->refs));
	r->nrefs--;
}

/* What an annotated tag finally names (tags of tags are peeled on). */
static int
peel_tag(struct mf_gitrepo *r, const git_oid *id, git_oid *out)
{
	git_object *obj = NULL, *next = NULL;
	int rc = -1;

	if (git_object_lookup(&obj, r->repo, id, GIT_OBJECT_TAG) < 0)
		return -1;
	while (git_object_peel(&next, obj, GIT_OBJECT_ANY) == 0) {
		git_object_free(obj);
		obj = next;
		next = NULL;
		if (git_object_type(obj) != GIT_OBJECT_TAG) {
			git_oid_cpy(out, git_object_id(obj));
			rc = 0;
			break;
		}
	}
	git_object_free(obj);
	return rc;
}

/*
 * Fills the cache from the repository, peeling annotated tags to what
 * they finally name, as `git update-server-info` does. Only an object's
 * header is read to tell annotated tags from the rest; a ref whose object
 * is missing is kept (unpeeled), so that rewriting packed-refs from the
 * cache never drops a ref.
 */
static int
refs_load(struct mf_gitrepo *r, struct mf_error *err)
{
	git_reference_iterator *it = NULL;
	git_reference *ref = NULL;
	git_odb *odb = NULL;
	git_object_t type;
	git_oid peeled;
	const git_oid *id;
	size_t size;
	int rc = 0, grc;

	refs_clear(r);
	if (git_repository_odb(&odb, r->repo) < 0 ||
	    git_reference_iterator_new(&it, r->repo) < 0) {
		git_odb_free(odb);
		return mf_gitrepo_fail(err, MF_E_IO, "list refs");
	}
	while ((grc = git_reference_next(&ref, it)) == 0) {
		if (git_reference_type(ref) == GIT_REFERENCE_DIRECT &&
		    strncmp(git_reference_name(ref), "refs/", 5) == 0 &&
		    (id = git_reference_target(ref)) != NULL) {
			bool tag =
			    git_odb_read_header(&size, &type, odb, id) == 0 &&
			    type == GIT_OBJECT_TAG &&
			    peel_tag(r, id, &peeled) == 0;

			rc = mf_gitrepo_refs_set(r, git_reference_name(ref), id,
			                         tag ? &peeled : NULL);
		}
		git_reference_free(ref);
		ref = NULL;
		if (rc != 0)
			break;
	}
	if (rc == 0 && grc != GIT_ITEROVER)
		rc = mf_gitrepo_fail(err, MF_E_IO, "list refs");
	git_reference_iterator_free(it);
	git_odb_free(odb);
	if (rc == 0 && r->nrefs > 1)
		qsort(r->refs, r->nrefs, sizeof(*r->refs), cmp_ref);
	return rc;
}

/*
 * Replaces repo/rel with data so that a reader sees the old or the new
 * file, never a part: a temporary file beside it, renamed over it. With
 * git_lock the temporary file is git's "<rel>.lock", created exclusively,
 * so that git and libgit2 writers of the same file wait for each other;
 * another writer holding it gives MF_E_CONFLICT.
 */
static int
write_atomic(struct mf_gitrepo *r, const char *rel, const void *data,
             size_t len, bool git_lock, struct mf_error *err)
{
	char path[4096], tmp[4200];
	const char *p = data;
	ssize_t w;
	int fd = -1, rc = 0;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", r->path, rel) >=
	    sizeof(path))
		return mf_error_set(err, MF_E_IO, NULL, "path too long");
	if (git_lock) {
		snprintf(tmp, sizeof(tmp), "%s.lock", path);
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	} else {
		snprintf(tmp, sizeof(tmp), "%s.tmp-XXXXXX", path);
		fd = mkstemp(tmp);
	}
	if (fd < 0)
		return mf_error_set(
		    err, errno == EEXIST ? MF_E_CONFLICT : MF_E_IO, NULL,
		    "create %s: %s", tmp, strerror(errno));
	while (len > 0) {
		if ((w = write(fd, p, len)) < 0) {
			if (errno == EINTR)
				continue;
			rc = mf_error_set(err, MF_E_IO, NULL, "write %s: %s",
			                  tmp, strerror(errno));
			goto done;
		}
		p += w;
		len -= (size_t)w;
	}
	/* mkstemp makes 0600; a static web server may serve these too */
	if (fchmod(fd, 0644) != 0 || (r->opt.fsync && fsync(fd) != 0)) {
		rc = mf_error_set(err, MF_E_IO, NULL, "finish %s: %s", tmp,
		                  strerror(errno));
		goto done;
	}
	if (close(fd) != 0) {
		fd = -1;
		rc = mf_error_set(err, MF_E_IO, NULL, "close %s: %s", tmp,
		                  strerror(errno));
		goto done;
	}
	fd = -1;
	if (rename(tmp, path) != 0)
		rc = mf_error_set(err, MF_E_IO, NULL, "rename to %s: %s", path,
		                  strerror(errno));
done:
	if (fd >= 0)
		close(fd);
	if (rc != 0)
		unlink(tmp);
	return rc;
}

/* Appends "<hex of id><sep><name><suffix>\n" (name may be ""). */
static int
put_ref_line(struct mf_buf *b, const char *prefix, const git_oid *id, char sep,
             const char *name, const char *suffix)
{
	char hex[GIT_OID_HEXSZ];
	int rc;

	git_oid_fmt(hex, id);
	if ((rc = mf_buf_puts(b, prefix)) == 0 &&
	    (rc = mf_buf_append(b, hex, sizeof(hex))) == 0 &&
	    (rc = name[0] ? mf_buf_putc(b, sep) : 0) == 0 &&
	    (rc = mf_buf_puts(b, name)) == 0 &&
	    (rc = mf_buf_puts(b, suffix)) == 0)
		rc = mf_buf_putc(b, '\n');
	return rc;
}

/*
 * The ref cache as info/refs ("<id>\t<name>", an annotated tag's target
 * as "<id>\t<name>^{}") or as the body of packed-refs ("<id> <name>",
 * then "^<id>"). Formatted without printf, and into one allocation:
 * both files are rewritten at every flush, with tens of thousands of
 * tags.
 */
static int
format_refs(const struct mf_gitrepo *r, bool info_refs, struct mf_buf *b)
{
	const struct mf_gitrepo_ref *ref;
	size_t i, need = 1;
	int rc = 0;

	for (i = 0; i < r->nrefs; i++)
		need += 2 * (GIT_OID_HEXSZ + strlen(r->refs[i].name) + 8);
	if ((rc = mf_buf_reserve(b, need)) != 0)
		return rc;
	for (i = 0; i < r->nrefs && rc == 0; i++) {
		ref = &r->refs[i];
		rc = put_ref_line(b, "", &ref->id, info_refs ? '\t' : ' ',
		                  ref->name, "");
		if (rc != 0 || !ref->has_peeled)
			continue;
		if (info_refs)
			rc = put_ref_line(b, "", &ref->peeled, '\t', ref->name,
			                  "^{}");
		else
			rc = put_ref_line(b, "^", &ref->peeled, ' ', "", "");
	}
	return rc;
}

int
mf_gitrepo_write_info_refs(struct mf_gitrepo *r, struct mf_error *err)
{
	struct mf_buf b = MF_BUF_INIT;
	int rc;

	/* An empty repository still gets a (empty) file: clients ask. */
	if ((rc = format_refs(r, true, &b)) != 0)
		rc = mf_error_set(err, rc, NULL, "out of memory");
	else
		rc = write_atomic(r, "info/refs", b.data ? b.data : "", b.len,
		                  false, err);
	mf_buf_dispose(&b);
	return rc;
}

/*
 * packed-refs from the ref cache, as `git pack-refs --all` writes it.
 * Loose ref files (main's) shadow what is listed here, so main may be
 * listed at an older value.
 */
int
mf_gitrepo_write_packed_refs(struct mf_gitrepo *r, struct mf_error *err)
{
	struct mf_buf b = MF_BUF_INIT;
	int rc;

	if ((rc = mf_buf_puts(&b, "# pack-refs with: peeled fully-peeled "
	                          "sorted \n")) != 0 ||
	    (rc = format_refs(r, false, &b)) != 0)
		rc = mf_error_set(err, rc, NULL, "out of memory");
	else
		rc = write_atomic(r, "packed-refs", b.data, b.len, true, err);
	mf_buf_dispose(&b);
	return rc;
}

/* Reads a whole small file into b; ENOENT gives *found = false. */
static int
read_small(const char *path, struct mf_buf *b, bool *found,
           struct mf_error *err)
{
	char chunk[8192];
	ssize_t n;
	int fd, rc = 0;

	*found = false;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return errno == ENOENT
		           ? 0
		           : mf_error_set(err, MF_E_IO, NULL, "open %s: %s",
		                          path, strerror(errno));
	while (rc == 0 && (n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			rc = mf_error_set(err, MF_E_IO, NULL, "read %s: %s",
			                  path, strerror(errno));
		else if (mf_buf_append(b, chunk, (size_t)n) != 0)
			rc = mf_error_set(err, MF_E_NOMEM, NULL,
			                  "out of memory");
	}
	close(fd);
	*found = rc == 0;
	return rc;
}

/* What refs/heads/main names on disk: its loose file, else packed-refs. */
static int
main_on_disk(struct mf_gitrepo *r, git_oid *out, bool *found,
             struct mf_error *err)
{
	struct mf_buf b = MF_BUF_INIT;
	char path[4200];
	const char *line;
	int rc;

	snprintf(path, sizeof(path), "%s/%s", r->path, MF_GITREPO_BRANCH);
	if ((rc = read_small(path, &b, found, err)) != 0)
		goto done;
	if (*found) {
		if (b.len < GIT_OID_HEXSZ ||
		    git_oid_fromstrn(out, b.data, GIT_OID_HEXSZ) < 0)
			rc = mf_error_set(err, MF_E_IO, NULL,
			                  "%s is not a commit id", path);
		goto done;
	}
	snprintf(path, sizeof(path), "%s/packed-refs", r->path);
	if ((rc = read_small(path, &b, found, err)) != 0 || !*found)
		goto done;
	*found = false;
	for (line = b.data; line != NULL && !*found;
	     line = (line = strchr(line, '\n')) ? line + 1 : NULL)
		*found =
		    strncmp(line + GIT_OID_HEXSZ, " " MF_GITREPO_BRANCH "\n",
		            sizeof(MF_GITREPO_BRANCH) + 1) == 0 &&
		    git_oid_fromstrn(out, line, GIT_OID_HEXSZ) == 0;
done:
	mf_buf_dispose(&b);
	return rc;
}

int
mf_gitrepo_swap_main(struct mf_gitrepo *r, const git_oid *parent,
                     const git_oid *id, struct mf_error *err)
{
	char hex[GIT_OID_HEXSZ + 1], path[4200], lock[4300];
	git_oid cur;
	bool found;
	int fd, rc;

	snprintf(path, sizeof(path), "%s/%s", r->path, MF_GITREPO_BRANCH);
	snprintf(lock, sizeof(lock), "%s.lock", path);
	if ((fd = open(lock, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644)) <
	    0)
		return mf_error_set(err,
		                    errno == EEXIST ? MF_E_CONFLICT : MF_E_IO,
		                    NULL, "lock %s: %s", lock, strerror(errno));
	if ((rc = main_on_disk(r, &cur, &found, err)) != 0)
		goto fail;
	if (found != (parent != NULL) ||
	    (found && !git_oid_equal(&cur, parent))) {
		rc = mf_error_set(err, MF_E_CONFLICT, NULL,
		                  "refs/heads/main moved (another publisher?)");
		goto fail;
	}
	git_oid_fmt(hex, id);
	hex[GIT_OID_HEXSZ] = '\n';
	if (write(fd, hex, sizeof(hex)) != (ssize_t)sizeof(hex) ||
	    (r->opt.fsync && fsync(fd) != 0)) {
		rc = mf_error_set(err, MF_E_IO, NULL, "write %s: %s", lock,
		                  strerror(errno));
		goto fail;
	}
	if (close(fd) != 0 || rename(lock, path) != 0) {
		fd = -1;
		rc = mf_error_set(err, MF_E_IO, NULL, "rename to %s: %s", path,
		                  strerror(errno));
		goto fail;
	}
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	unlink(lock);
	return rc;
}

static int
cmp_pack_mtime(const void *a, const void *b)
{
	const struct mf_gitrepo_packinfo *x = a, *y = b;

	/* newest first: a client looks for recent objects there first */
	if (x->mtime != y->mtime)
		return x->mtime > y->mtime ? -1 : 1;
	return strcmp(x->name, y->name);
}

static bool
is_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		      (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

static bool
is_old_pack(const struct mf_gitrepo *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->noldpacks; i++)
		if (strncmp(r->oldpacks[i].name, name, 45) == 0)
			return true;
	return false;
}

int
mf_gitrepo_list_packs(struct mf_gitrepo *r, struct mf_gitrepo_packinfo **out,
                      size_t *nout, struct mf_error *err)
{
	struct mf_gitrepo_packinfo *v = NULL, *nv;
	size_t n = 0, cap = 0;
	struct dirent *de;
	struct stat st, ist;
	char dir[4096], path[4300];
	DIR *d;

	*out = NULL;
	*nout = 0;
	snprintf(dir, sizeof(dir), "%s/objects/pack", r->path);
	if ((d = opendir(dir)) == NULL)
		return errno == ENOENT
		           ? 0
		           : mf_error_set(err, MF_E_IO, NULL, "open %s: %s",
		                          dir, strerror(errno));
	while ((de = readdir(d)) != NULL) {
		if (strlen(de->d_name) != 50 ||
		    strncmp(de->d_name, "pack-", 5) != 0 ||
		    strcmp(de->d_name + 45, ".pack") != 0 ||
		    !is_hex(de->d_name + 5, 40) || is_old_pack(r, de->d_name))
			continue;
		/* the index is renamed into place last: then it is complete */
		snprintf(path, sizeof(path), "%s/%.45s.idx", dir, de->d_name);
		if (stat(path, &ist) != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%.50s", dir, de->d_name);
		if (stat(path, &st) != 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			if ((nv = realloc(v, cap * sizeof(*v))) == NULL) {
				closedir(d);
				free(v);
				return mf_error_set(err, MF_E_NOMEM, NULL,
				                    "out of memory");
			}
			v = nv;
		}
		memcpy(v[n].name, de->d_name, 45);
		v[n].name[45] = '\0';
		v[n].size = (uint64_t)st.st_size;
		v[n++].mtime = ist.st_mtime;
	}
	closedir(d);
	*out = v;
	*nout = n;
	return 0;
}

/*
 * objects/info/packs: "P pack-<id>.pack" for every complete pack not
 * merged away, then a blank line, as git writes it.
 */
int
mf_gitrepo_write_info_packs(struct mf_gitrepo *r, struct mf_error *err)
{
	struct mf_gitrepo_packinfo *v = NULL;
	struct mf_buf b = MF_BUF_INIT;
	size_t n = 0, i;
	int rc;

	if ((rc = mf_gitrepo_list_packs(r, &v, &n, err)) != 0)
		return rc;
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_pack_mtime);
	for (i = 0; i < n && rc == 0; i++)
		rc = mf_buf_printf(&b, "P %s.pack\n", v[i].name);
	if (rc == 0)
		rc = mf_buf_putc(&b, '\n');
	if (rc == 0)
		rc = write_atomic(r, "objects/info/packs", b.data, b.len, false,
		                  err);
	else
		rc = mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
	free(v);
	mf_buf_dispose(&b);
	return rc;
}

int
mf_gitrepo_update_server_info(struct mf_gitrepo *r, struct mf_error *err)
{
	char dir[4096];
	int rc;

	snprintf(dir, sizeof(dir), "%s/objects/info", r->path);
	if (mkdir(dir, 0755) != 0 && errno != EEXIST)
		return mf_error_set(err, MF_E_IO, NULL, "mkdir %s: %s", dir,
		                    strerror(errno));
	snprintf(dir, sizeof(dir), "%s/info", r->path);
	if (mkdir(dir, 0755) != 0 && errno != EEXIST)
		return mf_error_set(err, MF_E_IO, NULL, "mkdir %s: %s", dir,
		                    strerror(errno));
	if ((rc = refs_load(r, err)) != 0 ||
	    (rc = mf_gitrepo_write_info_refs(r, err)) != 0)
		return rc;
	return mf_gitrepo_write_info_packs(r, err);
}

int
mf_gitrepo_write_objects(struct mf_gitrepo *r, struct mf_error *err)
{
	int rc;

	if (!r->dirty || r->nwritten == 0)
		return 0;
	/* exactly the objects this batch wrote, read back from the mempack */
	if ((rc = mf_gitrepo_pack_objects(r, r->written, r->nwritten, err)) !=
	    0)
		return rc;
	git_mempack_reset(r->mempack);
	r->dirty = false;
	r->nwritten = 0;
	return mf_gitrepo_write_info_packs(r, err);
}

struct loose {
	git_oid id;
	bool in_pack;
};

/* Lists objects/xx/<38 hex>: the loose objects (temporaries skipped). */
static int
list_loose(struct mf_gitrepo *r, struct loose **out, size_t *nout,
           struct mf_error *err)
{
	struct loose *v = NULL, *nv;
	size_t n = 0, cap = 0;
	struct dirent *de;
	char dir[4096], hex[GIT_OID_HEXSZ + 1];
	DIR *d;
	int i, rc = 0;

	for (i = 0; i < 256 && rc == 0; i++) {
		snprintf(dir, sizeof(dir), "%s/objects/%02x", r->path, i);
		if ((d = opendir(dir)) == NULL) {
			if (errno == ENOENT)
				continue;
			rc = mf_error_set(err, MF_E_IO, NULL, "open %s: %s",
			                  dir, strerror(errno));
			break;
		}
		while ((de = readdir(d)) != NULL) {
			if (strlen(de->d_name) != GIT_OID_HEXSZ - 2 ||
			    !is_hex(de->d_name, GIT_OID_HEXSZ - 2))
				continue;
			hex[0] = "0123456789abcdef"[i >> 4];
			hex[1] = "0123456789abcdef"[i & 15];
			memcpy(hex + 2, de->d_name, GIT_OID_HEXSZ - 2);
			hex[GIT_OID_HEXSZ] = '\0';
			if (n == cap) {
				cap = cap ? cap * 2 : 1024;
				if ((nv = realloc(v, cap * sizeof(*v))) ==
				    NULL) {
					rc = MF_E_NOMEM;
					break;
				}
				v = nv;
			}
			if (git_oid_fromstr(&v[n].id, hex) == 0)
				v[n++].in_pack = false;
		}
		closedir(d);
	}
	if (rc != 0) {
		free(v);
		return rc;
	}
	*out = v;
	*nout = n;
	return 0;
}

static int
cmp_pending(const void *a, const void *b)
{
	return git_oid_cmp(&((const struct mf_gitrepo_pending *)a)->id,
	                   &((const struct mf_gitrepo_pending *)b)->id);
}

/* When the pack holding id was published, as far as this handle knows. */
static time_t
published_at(const struct mf_gitrepo *r, const git_oid *id, time_t dflt)
{
	struct mf_gitrepo_pending key, *hit;

	if (r->npending == 0)
		return dflt;
	git_oid_cpy(&key.id, id);
	hit = bsearch(&key, r->pending, r->npending, sizeof(key), cmp_pending);
	return hit ? hit->published : dflt;
}

/*
 * Deletes the loose copies of packed objects whose grace is over and
 * remembers the rest. An object found packed that this handle did not
 * pack itself (an earlier process did) gets a full grace from now.
 */
static int
prune_loose(struct mf_gitrepo *r, const struct loose *v, size_t n, time_t now)
{
	struct mf_gitrepo_pending *keep;
	size_t i, nkeep = 0, removed = 0;
	char path[4200], hex[MF_GITREPO_ID_SIZE];
	time_t when;

	if ((keep = calloc(n ? n : 1, sizeof(*keep))) == NULL)
		return MF_E_NOMEM;
	for (i = 0; i < n; i++) {
		if (!v[i].in_pack)
			continue;
		when = published_at(r, &v[i].id, now);
		if (now - when >= (time_t)r->opt.prune_grace_s) {
			git_oid_tostr(hex, sizeof(hex), &v[i].id);
			snprintf(path, sizeof(path), "%s/objects/%.2s/%s",
			         r->path, hex, hex + 2);
			if (unlink(path) == 0 || errno == ENOENT) {
				removed++;
				continue;
			}
		}
		git_oid_cpy(&keep[nkeep].id, &v[i].id);
		keep[nkeep++].published = when;
	}
	qsort(keep, nkeep, sizeof(*keep), cmp_pending);
	free(r->pending);
	r->pending = keep;
	r->npending = nkeep;
	mf_diag_debug("git: pruned %zu loose objects, %zu in grace", removed,
	              nkeep);
	return 0;
}

void
mf_gitrepo_prune_packs(struct mf_gitrepo *r, time_t now)
{
	char path[4200];
	size_t i = 0;
	unsigned gone = 0;

	while (i < r->noldpacks) {
		if (now - r->oldpacks[i].dropped <
		    (time_t)r->opt.prune_grace_s) {
			i++;
			continue;
		}
		/* the index first: without it no reader uses the pack */
		snprintf(path, sizeof(path), "%s/objects/pack/%s.idx", r->path,
		         r->oldpacks[i].name);
		unlink(path);
		snprintf(path, sizeof(path), "%s/objects/pack/%s.pack", r->path,
		         r->oldpacks[i].name);
		unlink(path);
		gone++;
		r->oldpacks[i] = r->oldpacks[--r->noldpacks];
	}
	if (gone > 0)
		mf_diag_debug("git: deleted %u merged packs", gone);
}

/* Whether refs/tags holds anything: loose tags to pack. */
static bool
has_loose_tags(const struct mf_gitrepo *r)
{
	struct dirent *de;
	char dir[4096];
	bool found = false;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/refs/tags", r->path);
	if ((d = opendir(dir)) == NULL)
		return false;
	while (!found && (de = readdir(d)) != NULL)
		found = strcmp(de->d_name, ".") != 0 &&
		        strcmp(de->d_name, "..") != 0;
	closedir(d);
	return found;
}

int
mf_gitrepo_housekeep(struct mf_gitrepo *r, struct mf_error *err)
{
	git_odb *packed = NULL;
	git_odb_backend *backend = NULL;
	git_refdb *refdb = NULL;
	struct loose *v = NULL;
	struct mf_gitrepo_obj *fresh = NULL;
	size_t n = 0, i, nfresh = 0;
	char dir[4096];
	time_t now;
	int rc;

	if (r->nstaged > 0 || r->dirty)
		return mf_error_set(err, MF_E_BAD_PARAM, NULL,
		                    "publish the staged commits first");
	r->since_pack = 0;
	if ((rc = list_loose(r, &v, &n, err)) != 0)
		goto done;
	/* An object database that sees only the packs: is it packed yet? */
	snprintf(dir, sizeof(dir), "%s/objects", r->path);
	if (git_odb_new(&packed) < 0 ||
	    git_odb_backend_pack(&backend, dir) < 0 ||
	    git_odb_add_backend(packed, backend, 1) < 0) {
		git_odb_backend *b = backend;

		if (packed != NULL && b != NULL && b->free != NULL)
			b->free(b);
		rc = mf_gitrepo_fail(err, MF_E_IO, "open packs");
		goto done;
	}
	if (n > 0 && (fresh = calloc(n, sizeof(*fresh))) == NULL) {
		rc = mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
		goto done;
	}
	for (i = 0; i < n; i++) {
		if (git_odb_exists_ext(packed, &v[i].id,
		                       GIT_ODB_LOOKUP_NO_REFRESH))
			v[i].in_pack = true;
		else
			git_oid_cpy(&fresh[nfresh++].id, &v[i].id);
	}
	/* 1. the pack and its index, complete, under their final names */
	if ((rc = mf_gitrepo_pack_objects(r, fresh, nfresh, err)) != 0)
		goto done;
	/* 2. the pack list that names it */
	if ((rc = mf_gitrepo_write_info_packs(r, err)) != 0)
		goto done;
	now = time(NULL);
	for (i = 0; i < n; i++)
		v[i].in_pack = true; /* the fresh ones: published now */
	/* 3. only then the loose copies, once their grace is over */
	if ((rc = prune_loose(r, v, n, now)) != 0)
		goto done;
	mf_gitrepo_prune_packs(r, now);
	/*
	 * Tags go straight to packed-refs; loose ones come from older
	 * versions or other tools. A fresh refdb: libgit2's cached one
	 * would lock and check every ref it ever saw loose.
	 */
	if (has_loose_tags(r) && (git_refdb_open(&refdb, r->repo) < 0 ||
	                          git_refdb_compress(refdb) < 0)) {
		rc = mf_gitrepo_fail(err, MF_E_IO, "pack refs");
		goto done;
	}
	mf_diag_debug("git: packed %zu loose objects", nfresh);
done:
	git_refdb_free(refdb);
	git_odb_free(packed);
	free(fresh);
	free(v);
	return rc;
}

int
mf_gitrepo_pack(struct mf_gitrepo *r, struct mf_error *err)
{
	bool busy = true;
	int rc;

	if ((rc = mf_gitrepo_housekeep(r, err)) != 0)
		return rc;
	while (busy && rc == 0)
		rc = mf_gitrepo_maintain(r, 0, &busy, err);
	return rc;
}

static bool
has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* Removes *.lock below dir (recursively), counting into *removed. */
static int
remove_locks(const char *dir, unsigned *removed, int depth,
             struct mf_error *err)
{
	struct dirent *de;
	struct stat st;
	char path[4096];
	DIR *d;
	int rc = 0;

	if (depth > 16 || (d = opendir(dir)) == NULL)
		return 0;
	while (rc == 0 && (de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir,
		                     de->d_name) >= sizeof(path) ||
		    lstat(path, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode))
			rc = remove_locks(path, removed, depth + 1, err);
		else if (has_suffix(de->d_name, ".lock")) {
			if (unlink(path) != 0)
				rc = mf_error_set(err, MF_E_IO, NULL,
				                  "remove %s: %s", path,
				                  strerror(errno));
			else
				(*removed)++;
		}
	}
	closedir(d);
	return rc;
}

/* Removes <dir>/<prefix>* (temporary files of an interrupted writer). */
static void
remove_temps(const char *dir, const char *prefix, unsigned *removed)
{
	struct dirent *de;
	char path[4400];
	size_t n = strlen(prefix);
	DIR *d;

	if ((d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, prefix, n) == 0) {
			snprintf(path, sizeof(path), "%s/%.255s", dir,
			         de->d_name);
			if (unlink(path) == 0)
				(*removed)++;
		}
	closedir(d);
}

int
mf_gitrepo_recover(struct mf_gitrepo *r, unsigned *removed,
                   struct mf_error *err)
{
	char path[4096];
	unsigned n = 0;
	int rc;

	snprintf(path, sizeof(path), "%s/refs", r->path);
	if ((rc = remove_locks(path, &n, 0, err)) != 0)
		return rc;
	snprintf(path, sizeof(path), "%s/packed-refs.lock", r->path);
	if (unlink(path) == 0)
		n++;
	snprintf(path, sizeof(path), "%s/info", r->path);
	remove_temps(path, "refs.tmp-", &n);
	snprintf(path, sizeof(path), "%s/objects/info", r->path);
	remove_temps(path, "packs.tmp-", &n);
	/* a pack or index being written (gitrepo_packfile.c) */
	snprintf(path, sizeof(path), "%s/objects/pack", r->path);
	remove_temps(path, "tmp_pack_", &n);
	remove_temps(path, "tmp_idx_", &n);
	if (n > 0)
		mf_diag_warn("git: removed %u files left by an interrupted "
		             "writer in %s",
		             n, r->path);
	if (removed != NULL)
		*removed = n;
	return mf_gitrepo_update_server_info(r, err);
}
