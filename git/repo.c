/*
 * The git layer's front (see repo.h): opening and closing the handle,
 * commits (tree builders for only the changed paths, the signed commit
 * object), batches and their publication (flush: pack, tags, the
 * compare-and-swap on main, info/refs, housekeeping), tags and the head.
 * The other files of git/ each hold one concern this file calls on; see
 * git/README.md.
 */
#include "git/repo.h"
#include "git/handle.h"
#include "git/housekeep.h"
#include "git/merge.h"
#include "git/odb.h"
#include "git/packobjects.h"
#include "git/refs.h"
#include "git/serverinfo.h"
#include "common/diag.h"

#include <git2/sys/mempack.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Longest path accepted in a change, and longest single component. */
#define PATH_MAX_LEN 4095
#define NAME_MAX_LEN 255

void
mf_gitrepo_options_default(struct mf_gitrepo_options *opt)
{
	opt->fsync = false;
	opt->batch_max = 1;
	opt->pack_every = 256;
	opt->merge_budget_ms = 20;
	opt->prune_grace_s = 30;
}

/* The phases as the publisher's debug line names them (repo.h's enum). */
static const char *const phase_names[MF_GITREPO_PH__MAX] = {
    "trees", "commit", "sign", "pack", "refs", "info", "house", "merge"};

const struct mf_stopwatch *
mf_gitrepo_stopwatch(const struct mf_gitrepo *repo)
{
	return &repo->sw;
}

int
mf_gitrepo_open(struct mf_gitrepo **out, const char *path,
                const struct mf_gitrepo_options *opt, struct mf_error *err)
{
	git_repository_init_options init;
	struct mf_gitrepo *r;
	int rc = 0, grc;

	*out = NULL;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return MF_E_NOMEM;
	if ((r->path = strdup(path)) == NULL) {
		rc = MF_E_NOMEM;
		goto done;
	}
	mf_stopwatch_init(&r->sw, phase_names, MF_GITREPO_PH__MAX);
	if (opt != NULL)
		r->opt = *opt;
	else
		mf_gitrepo_options_default(&r->opt);
	if (git_libgit2_init() < 0) {
		rc = mf_gitrepo_fail(err, MF_E_INTERNAL, "libgit2 init");
		goto done;
	}
	r->libgit2_inited = true;
	/*
	 * Every object a new tree or commit names was either written by us a
	 * moment ago or read from the parent tree, so libgit2's existence
	 * check would only re-read them from disk.
	 */
	git_libgit2_opts(GIT_OPT_ENABLE_STRICT_OBJECT_CREATION, 0);
	git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR, r->opt.fsync ? 1 : 0);
	/*
	 * Keep trees in the object cache even when they are large (models/
	 * and the org directories), so the next commit does not inflate
	 * them from disk again.
	 */
	git_libgit2_opts(GIT_OPT_SET_CACHE_OBJECT_LIMIT, GIT_OBJECT_TREE,
	                 (size_t)1 << 20);

	grc = git_repository_open_bare(&r->repo, path);
	if (grc == GIT_ENOTFOUND) {
		git_repository_init_options_init(
		    &init, GIT_REPOSITORY_INIT_OPTIONS_VERSION);
		init.flags = GIT_REPOSITORY_INIT_BARE |
		             GIT_REPOSITORY_INIT_MKPATH |
		             GIT_REPOSITORY_INIT_NO_REINIT;
		init.initial_head = "main";
		grc = git_repository_init_ext(&r->repo, path, &init);
		if (grc == 0)
			mf_diag_info("git: created bare repository %s", path);
	}
	if (grc < 0) {
		rc = mf_gitrepo_fail(err, MF_E_IO, "cannot open repository");
		goto done;
	}
	if (!git_repository_is_bare(r->repo)) {
		rc = mf_error_set(err, MF_E_BAD_PARAM, NULL,
		                  "%s is not a bare repository", path);
		goto done;
	}
	if (r->opt.batch_max == 0)
		r->opt.batch_max = 1;
	/* packs merged away before a crash are not live again */
	if ((rc = mf_gitrepo_find_merged(r, err)) != 0 ||
	    (rc = mf_gitrepo_odb_reset(r, err)) != 0)
		goto done;
	/* Start from files that match the repository (e.g. after a crash). */
	rc = mf_gitrepo_update_server_info(r, err);
done:
	if (rc != 0) {
		mf_gitrepo_free(r);
		return rc;
	}
	*out = r;
	return 0;
}

/* git's name hash: the last characters weigh most, so ".json" sorts together */
static uint32_t
name_hash(const char *name, size_t len)
{
	uint32_t h = 0;
	size_t i;

	for (i = 0; i < len; i++)
		if (name[i] != ' ' && (name[i] < '\t' || name[i] > '\r'))
			h = (h >> 2) + ((uint32_t)(unsigned char)name[i] << 24);
	return h;
}

/*
 * Records an object written into the mempack, under the file or
 * directory name (len bytes; NULL for commits and tags); 0 or MF_E_NOMEM.
 */
static int
note_written(struct mf_gitrepo *r, const git_oid *id, const char *name,
             size_t len)
{
	struct mf_gitrepo_obj *v;

	if (r->nwritten == r->capwritten) {
		size_t cap = r->capwritten ? r->capwritten * 2 : 64;

		if ((v = realloc(r->written, cap * sizeof(*v))) == NULL)
			return MF_E_NOMEM;
		r->written = v;
		r->capwritten = cap;
	}
	v = &r->written[r->nwritten++];
	git_oid_cpy(&v->id, id);
	v->name_hash = name != NULL ? name_hash(name, len) : 0;
	r->dirty = true;
	return 0;
}

static void
drop_staged(struct mf_gitrepo *r)
{
	size_t i;

	for (i = 0; i < r->ntags; i++)
		free(r->tags[i].refname);
	r->ntags = 0;
	r->nstaged = 0;
	if (r->mempack != NULL)
		git_mempack_reset(r->mempack);
	r->dirty = false;
	r->nwritten = 0;
}

void
mf_gitrepo_free(struct mf_gitrepo *repo)
{
	if (repo == NULL)
		return;
	if (repo->nstaged > 0)
		mf_diag_warn("git: closing with %u unpublished commits",
		             repo->nstaged);
	drop_staged(repo);
	mf_gitrepo_merge_free(repo->merge);
	free(repo->tags);
	free(repo->oldpacks);
	free(repo->written);
	git_repository_free(repo->repo);
	mf_gitrepo_refs_free(repo);
	free(repo->pending);
	free(repo->path);
	if (repo->libgit2_inited)
		git_libgit2_shutdown();
	free(repo);
}

/* Validates one change path (see struct mf_gitrepo_change). */
static int
check_path(const char *path, struct mf_error *err)
{
	size_t n = strlen(path), i = 0, seg, k;

	if (n == 0 || n > PATH_MAX_LEN)
		return mf_error_set(err, MF_E_BAD_PARAM, NULL,
		                    "path must be 1 to %d bytes", PATH_MAX_LEN);
	while (i < n) {
		seg = strcspn(path + i, "/");
		if (seg == 0 || seg > NAME_MAX_LEN ||
		    (seg == 1 && path[i] == '.') ||
		    (seg == 2 && strncmp(path + i, "..", 2) == 0) ||
		    (seg == 4 && strncasecmp(path + i, ".git", 4) == 0))
			return mf_error_set(err, MF_E_BAD_PARAM, NULL,
			                    "invalid path '%s'", path);
		for (k = 0; k < seg; k++)
			if ((unsigned char)path[i + k] < 0x20 ||
			    path[i + k] == 0x7f || path[i + k] == '\\')
				return mf_error_set(err, MF_E_BAD_PARAM, NULL,
				                    "invalid character in "
				                    "path '%s'",
				                    path);
		i += seg;
		if (path[i] == '/' && path[++i] == '\0')
			return mf_error_set(err, MF_E_BAD_PARAM, NULL,
			                    "invalid path '%s'", path);
	}
	return 0;
}

static int
cmp_change(const void *a, const void *b)
{
	const struct mf_gitrepo_change *x =
	    *(const struct mf_gitrepo_change *const *)a;
	const struct mf_gitrepo_change *y =
	    *(const struct mf_gitrepo_change *const *)b;

	return strcmp(x->path, y->path);
}

/*
 * Builds the new version of one directory: `base` is its tree in the
 * parent commit (NULL if it did not exist), ch[0..n) the changes below it,
 * sorted by path, each path's first `off` bytes naming this directory.
 * Only subdirectories that some change touches are read and rewritten;
 * every other entry is carried over by id. *empty tells the caller to drop
 * the directory (git has no empty directories); the root is always
 * written.
 */
static int
build_tree(struct mf_gitrepo *r, const git_tree *base,
           const struct mf_gitrepo_change **ch, size_t n, size_t off,
           git_oid *out, bool *empty, struct mf_error *err)
{
	git_treebuilder *tb = NULL;
	git_tree *sub = NULL;
	const git_tree_entry *old;
	char name[NAME_MAX_LEN + 1];
	git_oid id;
	size_t i = 0, j, seg;
	bool sub_empty;
	int rc = 0;

	if (git_treebuilder_new(&tb, r->repo, base) < 0) {
		rc = mf_gitrepo_fail(err, MF_E_IO, "tree builder");
		goto done;
	}
	while (i < n) {
		const char *p = ch[i]->path + off;

		seg = strcspn(p, "/");
		memcpy(name, p, seg);
		name[seg] = '\0';
		old = git_treebuilder_get(tb, name);
		if (p[seg] == '\0') { /* a file in this directory */
			if (old != NULL &&
			    git_tree_entry_type(old) == GIT_OBJECT_TREE) {
				rc = mf_error_set(err, MF_E_CONFLICT, NULL,
				                  "'%s' is a directory",
				                  ch[i]->path);
				goto done;
			}
			if (ch[i]->op == MF_GITREPO_PUT) {
				if (git_blob_create_from_buffer(
				        &id, r->repo, ch[i]->data, ch[i]->len) <
				        0 ||
				    git_treebuilder_insert(NULL, tb, name, &id,
				                           GIT_FILEMODE_BLOB) <
				        0) {
					rc = mf_gitrepo_fail(err, MF_E_IO,
					                     "write blob");
					goto done;
				}
				if ((rc = note_written(r, &id, name, seg)) != 0)
					goto done;
			} else if (old != NULL &&
			           git_treebuilder_remove(tb, name) < 0) {
				rc = mf_gitrepo_fail(err, MF_E_IO, "remove");
				goto done;
			}
			i++;
			continue;
		}
		/* The run of changes below subdirectory `name`. */
		for (j = i + 1;
		     j < n && strncmp(ch[j]->path + off, p, seg + 1) == 0; j++)
			;
		if (old != NULL) {
			if (git_tree_entry_type(old) != GIT_OBJECT_TREE) {
				rc =
				    mf_error_set(err, MF_E_CONFLICT, NULL,
				                 "'%.*s' is a file",
				                 (int)(off + seg), ch[i]->path);
				goto done;
			}
			if (git_tree_lookup(&sub, r->repo,
			                    git_tree_entry_id(old)) < 0) {
				rc = mf_gitrepo_fail(err, MF_E_IO, "read tree");
				goto done;
			}
		}
		rc = build_tree(r, sub, ch + i, j - i, off + seg + 1, &id,
		                &sub_empty, err);
		git_tree_free(sub);
		sub = NULL;
		if (rc != 0)
			goto done;
		if (sub_empty) {
			if (old != NULL && git_treebuilder_remove(tb, name) < 0)
				rc = mf_gitrepo_fail(err, MF_E_IO, "remove");
		} else if (git_treebuilder_insert(NULL, tb, name, &id,
		                                  GIT_FILEMODE_TREE) < 0) {
			rc = mf_gitrepo_fail(err, MF_E_IO, "insert tree");
		}
		if (rc != 0)
			goto done;
		i = j;
	}
	*empty = git_treebuilder_entrycount(tb) == 0;
	if (!*empty || off == 0) {
		if (git_treebuilder_write(out, tb) < 0)
			rc = mf_gitrepo_fail(err, MF_E_IO, "write tree");
		else /* the directory's path names it, "" the root */
			rc = note_written(r, out, n > 0 ? ch[0]->path : "",
			                  off > 0 ? off - 1 : 0);
	}
done:
	git_tree_free(sub);
	git_treebuilder_free(tb);
	return rc;
}

/* Sorts and checks the changes; *out (owned) points into req->changes. */
static int
sorted_changes(const struct mf_gitrepo_commit_req *req,
               const struct mf_gitrepo_change ***out, struct mf_error *err)
{
	const struct mf_gitrepo_change **v;
	size_t i;
	int rc;

	*out = NULL;
	if (req->nchanges == 0)
		return 0;
	if ((v = calloc(req->nchanges, sizeof(*v))) == NULL)
		return MF_E_NOMEM;
	for (i = 0; i < req->nchanges; i++) {
		v[i] = &req->changes[i];
		if (v[i]->path == NULL ||
		    (v[i]->op == MF_GITREPO_PUT && v[i]->data == NULL &&
		     v[i]->len != 0) ||
		    (v[i]->op != MF_GITREPO_PUT &&
		     v[i]->op != MF_GITREPO_DELETE)) {
			free(v);
			return mf_error_set(err, MF_E_BAD_PARAM, NULL,
			                    "change %zu is incomplete", i);
		}
		if ((rc = check_path(v[i]->path, err)) != 0) {
			free(v);
			return rc;
		}
	}
	qsort(v, req->nchanges, sizeof(*v), cmp_change);
	for (i = 1; i < req->nchanges; i++)
		if (strcmp(v[i - 1]->path, v[i]->path) == 0) {
			rc =
			    mf_error_set(err, MF_E_BAD_PARAM, NULL,
			                 "path '%s' changed twice", v[i]->path);
			free(v);
			return rc;
		}
	*out = v;
	return 0;
}

static int
new_signature(git_signature **out, const struct mf_gitrepo_identity *who,
              const char *role, struct mf_error *err)
{
	if (who->name == NULL || who->email == NULL || who->name[0] == '\0')
		return mf_error_set(err, MF_E_BAD_PARAM, NULL,
		                    "%s needs a name and an email", role);
	if (git_signature_new(out, who->name, who->email, (git_time_t)who->when,
	                      who->tz_minutes) < 0)
		return mf_gitrepo_fail(err, MF_E_BAD_PARAM, role);
	return 0;
}

/*
 * Asks the callback for the signature and trims the final newline:
 * libgit2 indents every line of the gpgsig header itself and adds the
 * header's own newline.
 */
static int
sign_commit(const struct mf_gitrepo_commit_req *req, const git_buf *content,
            struct mf_buf *sig, struct mf_error *err)
{
	int rc;

	if ((rc = req->sign(req->sign_ctx, content->ptr, content->size, sig,
	                    err)) != 0)
		return err->code != 0 ? rc
		                      : mf_error_set(err, rc, NULL,
		                                     "signing the commit "
		                                     "failed");
	while (sig->len > 0 && (sig->data[sig->len - 1] == '\n' ||
	                        sig->data[sig->len - 1] == '\r'))
		sig->data[--sig->len] = '\0';
	if (sig->len == 0 || memchr(sig->data, '\0', sig->len) != NULL)
		return mf_error_set(err, MF_E_INTERNAL, NULL,
		                    "signing callback returned no signature");
	return 0;
}

/* Takes the staged tags out of the ref cache again. */
static void
unset_staged_tags(struct mf_gitrepo *r, size_t n)
{
	while (n > 0)
		mf_gitrepo_refs_unset(r, r->tags[--n].refname);
}

/*
 * Publishes the staged tags: into the ref cache, then all of it into
 * packed-refs, one file however many tags (a loose file per tag costs a
 * file creation each, and packing them later a lock file each). This
 * runs before main moves, so that no crash can lose a tag: a crash in
 * between leaves tags naming commits main does not reach yet, and
 * publishing those entries again makes the same commits.
 */
static int
publish_tags(struct mf_gitrepo *r, struct mf_error *err)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < r->ntags; i++) {
		const struct mf_gitrepo_tagref *t = &r->tags[i];
		bool lightweight = git_oid_equal(&t->id, &t->target);

		if (mf_gitrepo_refs_set(r, t->refname, &t->id,
		                        lightweight ? NULL : &t->target) != 0) {
			rc = mf_error_set(err, MF_E_NOMEM, NULL,
			                  "out of memory");
			break;
		}
	}
	if (rc == 0 && r->ntags > 0)
		rc = mf_gitrepo_write_packed_refs(r, err);
	if (rc != 0)
		unset_staged_tags(r, i);
	return rc;
}

/* After main failed to move: packed-refs without this batch's tags. */
static void
withdraw_tags(struct mf_gitrepo *r)
{
	struct mf_error e;

	if (r->ntags == 0)
		return;
	unset_staged_tags(r, r->ntags);
	mf_error_init(&e);
	if (mf_gitrepo_write_packed_refs(r, &e) != 0)
		mf_diag_warn("git: tags of an unpublished batch stay: %s",
		             e.message);
	mf_error_dispose(&e);
}

int
mf_gitrepo_flush(struct mf_gitrepo *r, struct mf_error *err)
{
	struct mf_error e;
	unsigned published = r->nstaged;
	int rc;

	/* 1. objects on disk and listed, 2. tags, 3. main moves, 4. info */
	mf_stopwatch_lap(&r->sw);
	rc = mf_gitrepo_write_objects(r, err);
	mf_stopwatch_mark(&r->sw, MF_GITREPO_PH_PACK);
	if (rc != 0 || (rc = publish_tags(r, err)) != 0)
		goto done;
	if (r->nstaged > 0) {
		if ((rc = mf_gitrepo_swap_main(r, r->has_base ? &r->base : NULL,
		                               &r->tip, err)) != 0) {
			withdraw_tags(r);
			goto done;
		}
		r->nstaged = 0;
		if ((rc = mf_gitrepo_refs_set(r, MF_GITREPO_BRANCH, &r->tip,
		                              NULL)) != 0)
			goto done;
	}
	mf_stopwatch_mark(&r->sw, MF_GITREPO_PH_REFS);
	if (published > 0 || r->ntags > 0) {
		mf_error_init(&e);
		if (mf_gitrepo_write_info_refs(r, &e) != 0)
			mf_diag_warn("git: info/refs not updated: %s",
			             e.message);
		mf_error_dispose(&e);
	}
	mf_stopwatch_mark(&r->sw, MF_GITREPO_PH_INFO);
	/* housekeeping after the commit point: its failure is only logged */
	r->since_pack += published;
	mf_error_init(&e);
	if (r->opt.pack_every > 0 && r->since_pack >= r->opt.pack_every &&
	    mf_gitrepo_housekeep(r, &e) != 0)
		mf_diag_warn("git: packing failed (will retry): %s", e.message);
	mf_error_dispose(&e);
	mf_stopwatch_mark(&r->sw, MF_GITREPO_PH_HOUSE);
	mf_error_init(&e);
	if (r->opt.merge_budget_ms > 0 &&
	    mf_gitrepo_maintain(r, r->opt.merge_budget_ms, NULL, &e) != 0)
		mf_diag_warn("git: merging packs failed (will retry): %s",
		             e.message);
	mf_error_dispose(&e);
done:
	drop_staged(r);
	return rc;
}

unsigned
mf_gitrepo_staged(const struct mf_gitrepo *r)
{
	return r->nstaged;
}

int
mf_gitrepo_commit(struct mf_gitrepo *r, const struct mf_gitrepo_commit_req *req,
                  char out[MF_GITREPO_ID_SIZE], struct mf_error *err)
{
	const struct mf_gitrepo_change **changes = NULL;
	git_signature *author = NULL, *committer = NULL;
	git_commit *parent = NULL;
	git_tree *base = NULL, *tree = NULL;
	git_buf content = {0};
	git_oid parent_id, tree_id, id;
	struct mf_buf msg = MF_BUF_INIT, sig = MF_BUF_INIT;
	bool has_parent = req->parent != NULL && req->parent[0] != '\0';
	bool empty;
	int rc;

	mf_stopwatch_lap(&r->sw);
	/* out may be req->parent's buffer: read the parent before writing */
	if (has_parent && mf_gitrepo_parse_id(&parent_id, req->parent) != 0) {
		rc =
		    mf_error_set(err, MF_E_BAD_PARAM, NULL,
		                 "parent '%s' is not a commit id", req->parent);
		out[0] = '\0';
		return rc;
	}
	out[0] = '\0';
	if (req->message == NULL || req->message[0] == '\0')
		return mf_error_set(err, MF_E_BAD_PARAM, NULL,
		                    "a commit needs a message");
	if (req->objects_only && r->nstaged > 0)
		return mf_error_set(err, MF_E_BAD_PARAM, NULL,
		                    "objects_only while a batch is staged");
	if (r->nstaged > 0 &&
	    (!has_parent || !git_oid_equal(&parent_id, &r->tip)))
		return mf_error_set(err, MF_E_CONFLICT, NULL,
		                    "parent is not the last staged commit");
	if (has_parent) {
		if (git_commit_lookup(&parent, r->repo, &parent_id) < 0)
			return mf_gitrepo_fail(err, MF_E_CONFLICT,
			                       "expected parent commit");
		if (git_commit_tree(&base, parent) < 0) {
			rc = mf_gitrepo_fail(err, MF_E_IO, "parent tree");
			goto done;
		}
	}
	if ((rc = sorted_changes(req, &changes, err)) != 0 ||
	    (rc = build_tree(r, base, changes, req->nchanges, 0, &tree_id,
	                     &empty, err)) != 0)
		goto done;
	mf_stopwatch_mark(&r->sw, MF_GITREPO_PH_TREES);
	if (git_tree_lookup(&tree, r->repo, &tree_id) < 0) {
		rc = mf_gitrepo_fail(err, MF_E_IO, "read new tree");
		goto done;
	}
	if ((rc = new_signature(&author, &req->author, "author", err)) != 0 ||
	    (rc = new_signature(&committer, &req->committer, "committer",
	                        err)) != 0)
		goto done;
	if ((rc = mf_buf_puts(&msg, req->message)) != 0 ||
	    (msg.data[msg.len - 1] != '\n' &&
	     (rc = mf_buf_putc(&msg, '\n')) != 0))
		goto done;
	if (git_commit_create_buffer(&content, r->repo, author, committer, NULL,
	                             msg.data, tree, has_parent ? 1 : 0,
	                             (const git_commit **)&parent) < 0) {
		rc = mf_gitrepo_fail(err, MF_E_IO, "commit buffer");
		goto done;
	}
	mf_stopwatch_mark(&r->sw, MF_GITREPO_PH_COMMIT);
	if (req->sign != NULL &&
	    (rc = sign_commit(req, &content, &sig, err)) != 0)
		goto done;
	mf_stopwatch_mark(&r->sw, MF_GITREPO_PH_SIGN);
	if (git_commit_create_with_signature(&id, r->repo, content.ptr,
	                                     req->sign ? sig.data : NULL,
	                                     req->sign ? "gpgsig" : NULL) < 0) {
		rc = mf_gitrepo_fail(err, MF_E_IO, "write commit");
		goto done;
	}
	if ((rc = note_written(r, &id, NULL, 0)) != 0)
		goto done;
	mf_stopwatch_mark(&r->sw, MF_GITREPO_PH_COMMIT);
	git_oid_tostr(out, MF_GITREPO_ID_SIZE, &id);
	if (req->objects_only) {
		/* on disk, but main stays: as if killed before the ref update
		 */
		rc = r->nstaged == 0 ? mf_gitrepo_write_objects(r, err) : 0;
		goto done;
	}
	if (r->nstaged == 0) {
		r->has_base = has_parent;
		if (has_parent)
			git_oid_cpy(&r->base, &parent_id);
	}
	git_oid_cpy(&r->tip, &id);
	r->nstaged++;
	if (r->nstaged >= r->opt.batch_max)
		rc = mf_gitrepo_flush(r, err);
done:
	if (rc != 0)
		out[0] = '\0';
	git_buf_dispose(&content);
	mf_buf_dispose(&msg);
	mf_buf_dispose(&sig);
	git_signature_free(author);
	git_signature_free(committer);
	git_tree_free(tree);
	git_tree_free(base);
	git_commit_free(parent);
	free(changes);
	return rc;
}

/* A tag already staged under refname, or NULL. */
static const struct mf_gitrepo_tagref *
staged_tag(const struct mf_gitrepo *r, const char *refname)
{
	size_t i;

	for (i = 0; i < r->ntags; i++)
		if (strcmp(r->tags[i].refname, refname) == 0)
			return &r->tags[i];
	return NULL;
}

static int
stage_tag(struct mf_gitrepo *r, const char *refname, const git_oid *id,
          const git_oid *target)
{
	struct mf_gitrepo_tagref *v;

	if (r->ntags == r->captags) {
		size_t cap = r->captags ? r->captags * 2 : 8;

		if ((v = realloc(r->tags, cap * sizeof(*v))) == NULL)
			return MF_E_NOMEM;
		r->tags = v;
		r->captags = cap;
	}
	v = &r->tags[r->ntags];
	if ((v->refname = strdup(refname)) == NULL)
		return MF_E_NOMEM;
	git_oid_cpy(&v->id, id);
	git_oid_cpy(&v->target, target);
	r->ntags++;
	return 0;
}

int
mf_gitrepo_tag(struct mf_gitrepo *r, const char *name, const char *target,
               const char *message, const struct mf_gitrepo_identity *tagger,
               struct mf_error *err)
{
	const struct mf_gitrepo_tagref *st;
	const struct mf_gitrepo_ref *known = NULL;
	git_object *commit = NULL;
	git_signature *sig = NULL;
	struct mf_buf refname = MF_BUF_INIT;
	git_oid target_id, ref_id, existing;
	int rc = 0, valid = 0;
	char hex[MF_GITREPO_ID_SIZE];

	if (name == NULL || name[0] == '\0' || name[0] == '/' ||
	    target == NULL || mf_gitrepo_parse_id(&target_id, target) != 0)
		return mf_error_set(err, MF_E_BAD_PARAM, NULL,
		                    "a tag needs a name and a commit id");
	if ((rc = mf_buf_printf(&refname, "refs/tags/%s", name)) != 0)
		goto done;
	if (git_reference_name_is_valid(&valid, refname.data) < 0 || !valid) {
		rc = mf_error_set(err, MF_E_BAD_PARAM, NULL,
		                  "invalid tag name '%s'", name);
		goto done;
	}
	/* idempotent: an existing (or staged) tag at the same commit is ok */
	if ((st = staged_tag(r, refname.data)) != NULL)
		git_oid_cpy(&existing, &st->target);
	else if ((known = mf_gitrepo_refs_get(r, refname.data)) != NULL)
		git_oid_cpy(&existing,
		            known->has_peeled ? &known->peeled : &known->id);
	if (st != NULL || known != NULL) {
		if (!git_oid_equal(&existing, &target_id)) {
			git_oid_tostr(hex, sizeof(hex), &existing);
			rc = mf_error_set(err, MF_E_CONFLICT, NULL,
			                  "tag %s already points at %s", name,
			                  hex);
		}
		goto done;
	}
	if (git_object_lookup(&commit, r->repo, &target_id, GIT_OBJECT_COMMIT) <
	    0) {
		rc = mf_gitrepo_fail(err, MF_E_NOT_FOUND, "tag target");
		goto done;
	}
	git_oid_cpy(&ref_id, &target_id);
	if (message != NULL) {
		if (tagger == NULL) {
			rc = mf_error_set(err, MF_E_BAD_PARAM, NULL,
			                  "an annotated tag needs a tagger");
			goto done;
		}
		if ((rc = new_signature(&sig, tagger, "tagger", err)) != 0)
			goto done;
		if (git_tag_annotation_create(&ref_id, r->repo, name, commit,
		                              sig, message) < 0) {
			rc = mf_gitrepo_fail(err, MF_E_IO, "write tag");
			goto done;
		}
		if ((rc = note_written(r, &ref_id, NULL, 0)) != 0)
			goto done;
	}
	/* published with its commit's batch, or now if nothing is staged */
	if ((rc = stage_tag(r, refname.data, &ref_id, &target_id)) == 0 &&
	    r->nstaged == 0)
		rc = mf_gitrepo_flush(r, err);
done:
	mf_buf_dispose(&refname);
	git_signature_free(sig);
	git_object_free(commit);
	return rc;
}

/* main's target, or *found = false when it does not exist yet. */
static int
main_target(struct mf_gitrepo *r, git_oid *out, bool *found,
            struct mf_error *err)
{
	int grc = git_reference_name_to_id(out, r->repo, MF_GITREPO_BRANCH);

	*found = grc == 0;
	if (grc == 0 || grc == GIT_ENOTFOUND)
		return 0;
	return mf_gitrepo_fail(err, MF_E_IO, "read refs/heads/main");
}

static int
head_commit(struct mf_gitrepo *r, git_commit **out, struct mf_error *err)
{
	git_oid id;
	bool found;
	char hex[MF_GITREPO_ID_SIZE];
	int rc;

	*out = NULL;
	if ((rc = main_target(r, &id, &found, err)) != 0 || !found)
		return rc;
	if (git_commit_lookup(out, r->repo, &id) < 0) {
		git_oid_tostr(hex, sizeof(hex), &id);
		return mf_error_set(err, MF_E_IO, NULL,
		                    "refs/heads/main points at %s, which the "
		                    "repository lacks: rebuild it from the log",
		                    hex);
	}
	return 0;
}

int
mf_gitrepo_head(struct mf_gitrepo *r, char out[MF_GITREPO_ID_SIZE],
                struct mf_error *err)
{
	git_commit *c = NULL;
	int rc;

	out[0] = '\0';
	if ((rc = head_commit(r, &c, err)) != 0 || c == NULL)
		return rc;
	git_oid_tostr(out, MF_GITREPO_ID_SIZE, git_commit_id(c));
	git_commit_free(c);
	return 0;
}
