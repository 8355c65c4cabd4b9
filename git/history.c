/*
 * Reading published history back: the trailers of any commit and its
 * first parent, so the publisher can walk back from the head after a
 * crash and record commits PostgreSQL did not hear about.
 */
#include "git/internal.h"

#include <stdlib.h>
#include <string.h>

int
mf_gitrepo_commit_trailers(struct mf_gitrepo *r, const char *commit,
                           struct mf_gitrepo_trailers **out,
                           char parent[MF_GITREPO_ID_SIZE],
                           struct mf_error *err)
{
	git_message_trailer_array arr = {0};
	struct mf_gitrepo_trailers *t = NULL;
	git_commit *c = NULL;
	git_oid id;
	size_t i;
	int rc = 0;

	*out = NULL;
	parent[0] = '\0';
	if (git_oid_fromstrn(&id, commit, strlen(commit)) < 0 ||
	    git_commit_lookup(&c, r->repo, &id) < 0)
		return mf_error_set(err, MF_E_NOT_FOUND, NULL,
		                    "no commit %s in the repository", commit);
	if (git_message_trailers(&arr, git_commit_message(c)) < 0) {
		rc = mf_error_set(err, MF_E_IO, NULL, "cannot parse trailers");
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
		t->count++;
		if (t->items[i].key == NULL || t->items[i].value == NULL) {
			rc = mf_error_set(err, MF_E_NOMEM, NULL,
			                  "out of memory");
			goto done;
		}
	}
	if (git_commit_parentcount(c) > 0)
		git_oid_tostr(parent, MF_GITREPO_ID_SIZE,
		              git_commit_parent_id(c, 0));
	*out = t;
	t = NULL;
done:
	mf_gitrepo_trailers_free(t);
	git_message_trailer_array_free(&arr);
	git_commit_free(c);
	return rc;
}
