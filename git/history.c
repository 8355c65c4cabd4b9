/*
 * Reading published history back: the trailers of the head commit or of
 * any commit and its first parent, so the publisher can resume after the
 * last entry git holds, and walk back from the head after a crash to
 * record commits PostgreSQL did not hear about.
 */
#include "git/handle.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

void
mf_gitrepo_trailers_free(struct mf_gitrepo_trailers *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->count; i++) {
		free(t->items[i].key);
		free(t->items[i].value);
	}
	free(t->items);
	free(t);
}

const char *
mf_gitrepo_trailer_get(const struct mf_gitrepo_trailers *t, const char *key)
{
	size_t i;

	for (i = t ? t->count : 0; i > 0; i--)
		if (strcasecmp(t->items[i - 1].key, key) == 0)
			return t->items[i - 1].value;
	return NULL;
}

/* The trailers of commit c; *out is owned by the caller. */
static int
trailers_of(git_commit *c, struct mf_gitrepo_trailers **out,
            struct mf_error *err)
{
	git_message_trailer_array arr = {0};
	struct mf_gitrepo_trailers *t = NULL;
	size_t i;
	int rc = 0;

	*out = NULL;
	if (git_message_trailers(&arr, git_commit_message(c)) < 0) {
		rc = mf_gitrepo_fail(err, MF_E_IO, "parse trailers");
		goto done;
	}
	if ((t = calloc(1, sizeof(*t))) == NULL ||
	    (arr.count > 0 &&
	     (t->items = calloc(arr.count, sizeof(*t->items))) == NULL)) {
		rc = mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
		goto done;
	}
	git_oid_tostr(t->commit, sizeof(t->commit), git_commit_id(c));
	for (i = 0; i < arr.count; i++) {
		t->items[i].key = strdup(arr.trailers[i].key);
		t->items[i].value = strdup(arr.trailers[i].value);
		t->count++; /* so that free sees this one */
		if (t->items[i].key == NULL || t->items[i].value == NULL) {
			rc = mf_error_set(err, MF_E_NOMEM, NULL,
			                  "out of memory");
			goto done;
		}
	}
	*out = t;
	t = NULL;
done:
	mf_gitrepo_trailers_free(t);
	git_message_trailer_array_free(&arr);
	return rc;
}

int
mf_gitrepo_commit_trailers(struct mf_gitrepo *r, const char *commit,
                           struct mf_gitrepo_trailers **out,
                           char parent[MF_GITREPO_ID_SIZE],
                           struct mf_error *err)
{
	git_commit *c = NULL;
	git_oid id;
	int rc;

	*out = NULL;
	parent[0] = '\0';
	if (git_oid_fromstrn(&id, commit, strlen(commit)) < 0 ||
	    git_commit_lookup(&c, r->repo, &id) < 0)
		return mf_error_set(err, MF_E_NOT_FOUND, NULL,
		                    "no commit %s in the repository", commit);
	if ((rc = trailers_of(c, out, err)) == 0 &&
	    git_commit_parentcount(c) > 0)
		git_oid_tostr(parent, MF_GITREPO_ID_SIZE,
		              git_commit_parent_id(c, 0));
	git_commit_free(c);
	return rc;
}

int
mf_gitrepo_head_trailers(struct mf_gitrepo *r, struct mf_gitrepo_trailers **out,
                         struct mf_error *err)
{
	char head[MF_GITREPO_ID_SIZE], parent[MF_GITREPO_ID_SIZE];
	int rc;

	*out = NULL;
	/* mf_gitrepo_head checks that the commit is there (MF_E_IO if not) */
	if ((rc = mf_gitrepo_head(r, head, err)) != 0 || head[0] == '\0')
		return rc;
	return mf_gitrepo_commit_trailers(r, head, out, parent, err);
}
