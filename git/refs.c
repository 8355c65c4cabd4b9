/*
 * The refs of the repository (see refs.h). A cache of every ref, sorted
 * by name, stands in for listing and peeling them all at each flush:
 * packed-refs and info/refs are rewritten from it, tens of thousands of
 * tags in one write each. refs/heads/main is moved by a compare-and-swap
 * under git's own lock protocol (libgit2's reference update re-parsed all
 * of packed-refs every time).
 */
#include "git/refs.h"
#include "git/files.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

void
mf_gitrepo_refs_free(struct mf_gitrepo *r)
{
	refs_clear(r);
	free(r->refs);
	r->refs = NULL;
	r->caprefs = 0;
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
 * As `git update-server-info` peels them. Only an object's
 * header is read to tell annotated tags from the rest; a ref whose object
 * is missing is kept (unpeeled), so that rewriting packed-refs from the
 * cache never drops a ref.
 */
int
mf_gitrepo_refs_load(struct mf_gitrepo *r, struct mf_error *err)
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
 * Formatted without printf, and into one allocation:
 * both files are rewritten at every flush, with tens of thousands of
 * tags.
 */
int
mf_gitrepo_refs_format(const struct mf_gitrepo *r, bool info_refs,
                       struct mf_buf *b)
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
	    (rc = mf_gitrepo_refs_format(r, false, &b)) != 0)
		rc = mf_error_set(err, rc, NULL, "out of memory");
	else
		rc = mf_gitrepo_write_atomic(r, "packed-refs", b.data, b.len,
		                             true, err);
	mf_buf_dispose(&b);
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
	if ((rc = mf_gitrepo_read_small(path, &b, found, err)) != 0)
		goto done;
	if (*found) {
		if (b.len < GIT_OID_HEXSZ ||
		    git_oid_fromstrn(out, b.data, GIT_OID_HEXSZ) < 0)
			rc = mf_error_set(err, MF_E_IO, NULL,
			                  "%s is not a commit id", path);
		goto done;
	}
	snprintf(path, sizeof(path), "%s/packed-refs", r->path);
	if ((rc = mf_gitrepo_read_small(path, &b, found, err)) != 0 || !*found)
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
