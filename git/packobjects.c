/*
 * Objects into a new pack (see packobjects.h), ordered as git's
 * pack-objects orders them, by type, then name hash, largest first, so
 * that versions of the same file sit together: a blob or tree is stored
 * as a delta of the previous object of the same name when that delta is
 * at most half its size (chains at most MAX_DEPTH deep). That kept packs
 * near the size libgit2's pack builder made, at a fraction of its cost.
 */
#include "git/packobjects.h"
#include "git/delta.h"
#include "git/odb.h"
#include "git/packfile.h"
#include "git/serverinfo.h"

#include <git2/sys/mempack.h>
#include <git2/sys/odb_backend.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Deltas only between objects of one name (and type), at most this deep,
 * so that reading an object stays cheap. */
#define MAX_DEPTH 10
/* Objects smaller than this are stored whole. */
#define MIN_DELTA_SIZE 64

/* An object being packed: its data, from the mempack or the database. */
struct loaded {
	struct mf_gitrepo_obj obj;
	git_object_t type;
	const void *data;
	size_t len;
	void *mempack_data;  /* owned, when read from the mempack */
	git_odb_object *odb; /* owned, when read through the database */
	unsigned depth;      /* deltas below it to a whole object */
};

static int
cmp_obj_id(const void *a, const void *b)
{
	return git_oid_cmp(&((const struct mf_gitrepo_obj *)a)->id,
	                   &((const struct mf_gitrepo_obj *)b)->id);
}

/* Names together, the largest first (as git's pack-objects orders). */
static int
cmp_for_deltas(const void *a, const void *b)
{
	const struct loaded *x = a, *y = b;

	if (x->type != y->type)
		return x->type < y->type ? -1 : 1;
	if (x->obj.name_hash != y->obj.name_hash)
		return x->obj.name_hash < y->obj.name_hash ? -1 : 1;
	if (x->len != y->len)
		return x->len > y->len ? -1 : 1;
	return git_oid_cmp(&x->obj.id, &y->obj.id);
}

/*
 * Reads an object: straight from the mempack when it is there (the
 * database's read would also go through its object cache), else (loose
 * objects) through the database.
 */
static int
load(struct mf_gitrepo *r, git_odb *odb, struct loaded *l, struct mf_error *err)
{
	if (r->mempack->read(&l->mempack_data, &l->len, &l->type, r->mempack,
	                     &l->obj.id) == 0) {
		l->data = l->mempack_data;
		return 0;
	}
	l->mempack_data = NULL;
	if (git_odb_read(&l->odb, odb, &l->obj.id) < 0)
		return mf_gitrepo_fail(err, MF_E_IO, "read object");
	l->type = git_odb_object_type(l->odb);
	l->data = git_odb_object_data(l->odb);
	l->len = git_odb_object_size(l->odb);
	return 0;
}

/*
 * Adds cur to w, as a delta of prev (the object before it in delta
 * order) when they share a name and the delta is at most half of cur.
 */
static int
add_loaded(struct mf_gitrepo_packw *w, const struct loaded *prev,
           struct loaded *cur, struct mf_buf *delta, struct mf_error *err)
{
	int drc = 1;

	if (prev != NULL && prev->type == cur->type &&
	    prev->obj.name_hash == cur->obj.name_hash &&
	    cur->obj.name_hash != 0 && prev->depth < MAX_DEPTH &&
	    cur->len >= MIN_DELTA_SIZE &&
	    (cur->type == GIT_OBJECT_BLOB || cur->type == GIT_OBJECT_TREE))
		drc = mf_gitrepo_delta(delta, prev->data, prev->len, cur->data,
		                       cur->len, cur->len / 2);
	if (drc < 0)
		return mf_error_set(err, drc, NULL, "out of memory");
	if (drc == 0) {
		cur->depth = prev->depth + 1;
		return mf_gitrepo_packw_add_delta(w, &cur->obj.id,
		                                  &prev->obj.id, delta->data,
		                                  delta->len, err);
	}
	cur->depth = 0;
	return mf_gitrepo_packw_add(w, &cur->obj.id, cur->type, cur->data,
	                            cur->len, err);
}

int
mf_gitrepo_pack_objects(struct mf_gitrepo *r, struct mf_gitrepo_obj *objs,
                        size_t n, struct mf_error *err)
{
	struct mf_gitrepo_packw *w = NULL;
	struct loaded *v = NULL;
	struct mf_buf delta = MF_BUF_INIT;
	git_odb *odb = NULL;
	char dir[4096], name[46];
	size_t i, m = 0;
	int rc = 0;

	if (n == 0)
		return 0;
	/* once each: a batch may write the same blob twice */
	qsort(objs, n, sizeof(*objs), cmp_obj_id);
	for (i = 0; i < n; i++)
		if (m == 0 || !git_oid_equal(&objs[m - 1].id, &objs[i].id))
			objs[m++] = objs[i];
	if ((v = calloc(m, sizeof(*v))) == NULL)
		return mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
	if (git_repository_odb(&odb, r->repo) < 0) {
		rc = mf_gitrepo_fail(err, MF_E_IO, "object database");
		goto done;
	}
	for (i = 0; i < m && rc == 0; i++) {
		v[i].obj = objs[i];
		rc = load(r, odb, &v[i], err);
	}
	if (rc != 0)
		goto done;
	qsort(v, m, sizeof(*v), cmp_for_deltas);
	snprintf(dir, sizeof(dir), "%s/objects/pack", r->path);
	if ((rc = mf_gitrepo_packw_open(&w, dir, m, r->opt.fsync, err)) != 0)
		goto done;
	for (i = 0; i < m && rc == 0; i++)
		rc =
		    add_loaded(w, i > 0 ? &v[i - 1] : NULL, &v[i], &delta, err);
	if (rc == 0)
		rc = mf_gitrepo_packw_finish(w, name, err);
	/* readers of this handle find the objects in the pack from now on */
	if (rc == 0)
		rc = mf_gitrepo_odb_add_pack(r, name, err);
done:
	for (i = 0; v != NULL && i < m; i++) {
		if (v[i].mempack_data != NULL)
			git_odb_backend_data_free(r->mempack,
			                          v[i].mempack_data);
		git_odb_object_free(v[i].odb);
	}
	free(v);
	mf_buf_dispose(&delta);
	mf_gitrepo_packw_free(w);
	git_odb_free(odb);
	return rc;
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
