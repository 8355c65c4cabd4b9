/*
 * The helpers every file of the git layer uses (see handle.h): libgit2's
 * last error as a struct mf_error, and the strict parsing of commit ids
 * that come from outside.
 */
#include "git/handle.h"
#include "common/encoding.h"

int
mf_gitrepo_fail(struct mf_error *err, int code, const char *what)
{
	const git_error *e = git_error_last();

	return mf_error_set(err, code, NULL, "%s: %s", what,
	                    e != NULL && e->message != NULL ? e->message
	                                                    : "libgit2 error");
}

int
mf_gitrepo_parse_id(git_oid *out, const char *hex)
{
	if (!mf_hex_is_lower(hex, GIT_OID_HEXSZ) || hex[GIT_OID_HEXSZ] != '\0')
		return -1;
	return git_oid_fromstr(out, hex) == 0 ? 0 : -1;
}
