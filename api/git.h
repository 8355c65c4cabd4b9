/*
 * `git clone http://HOST/labels.git`: the published repository served
 * read-only over git's dumb HTTP protocol, one file per request, straight
 * from the bare repository's directory.
 */
#ifndef MF_HANDLERS_GIT_H
#define MF_HANDLERS_GIT_H

#include "http/http.h"

#include <stdbool.h>

/* What kind of repository file a request path names. */
enum mf_git_file {
	MF_GIT_FILE_NONE = 0, /* not a file we serve: 404 */
	MF_GIT_FILE_HEAD,
	MF_GIT_FILE_INFO_REFS,
	MF_GIT_FILE_INFO_PACKS,
	MF_GIT_FILE_LOOSE,
	MF_GIT_FILE_PACK,
	MF_GIT_FILE_PACK_INDEX,
	MF_GIT_FILE__MAX
};

/*
 * Classifies `rel`, the path below /labels.git/ (already percent-
 * decoded). Only the exact shapes the dumb protocol needs are accepted;
 * ".." and everything else give MF_GIT_FILE_NONE. Pure.
 */
enum mf_git_file mf_git_file_classify(const char *rel);
/* Content type, and whether the file never changes once it exists. */
const char *mf_git_file_content_type(enum mf_git_file kind);
bool mf_git_file_immutable(enum mf_git_file kind);

/* GET /labels.git/{path*} */
int mf_h_git_file(struct mf_request *req);

#endif
