/*
 * Housekeeping (see housekeep.h), in the one order that never leaves a
 * concurrent dumb-HTTP clone without an object: 1. a pack of the loose
 * objects, complete under its final name, 2. the pack list that names
 * it, 3. only after the grace period, the loose copies. A clone that read
 * the old list finds the object loose; one that reads the new list finds
 * the pack. Loose objects come from other tools or older versions: the
 * layer itself writes packs only.
 */
#include "git/housekeep.h"
#include "git/files.h"
#include "git/merge.h"
#include "git/packobjects.h"
#include "git/serverinfo.h"
#include "common/encoding.h"
#include "common/diag.h"

#include <dirent.h>
#include <errno.h>
#include <git2/sys/odb_backend.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
			    !mf_hex_is_lower(de->d_name, GIT_OID_HEXSZ - 2))
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
	if (nkeep > 1)
		qsort(keep, nkeep, sizeof(*keep), cmp_pending);
	free(r->pending);
	r->pending = keep;
	r->npending = nkeep;
	mf_diag_debug("git: pruned %zu loose objects, %zu in grace", removed,
	              nkeep);
	return 0;
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
