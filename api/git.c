/*
 * The dumb-HTTP view of the published repository (see handlers_git.h):
 * strict path shapes, content types git expects, long caching for
 * immutable objects and none for refs, files streamed from disk.
 */
#include "api/git.h"
#include "app/app.h"
#include "common/encoding.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const struct {
	const char *content_type;
	bool immutable;
} file_kinds[MF_GIT_FILE__MAX] = {
    [MF_GIT_FILE_NONE] = {NULL, false},
    [MF_GIT_FILE_HEAD] = {"text/plain", false},
    [MF_GIT_FILE_INFO_REFS] = {"text/plain; charset=utf-8", false},
    [MF_GIT_FILE_INFO_PACKS] = {"text/plain; charset=utf-8", false},
    [MF_GIT_FILE_LOOSE] = {"application/x-git-loose-object", true},
    [MF_GIT_FILE_PACK] = {"application/x-git-packed-objects", true},
    [MF_GIT_FILE_PACK_INDEX] = {"application/x-git-packed-objects-toc", true},
};

enum mf_git_file
mf_git_file_classify(const char *rel)
{
	size_t n;

	if (rel == NULL)
		return MF_GIT_FILE_NONE;
	n = strlen(rel);
	if (strcmp(rel, "HEAD") == 0)
		return MF_GIT_FILE_HEAD;
	if (strcmp(rel, "info/refs") == 0)
		return MF_GIT_FILE_INFO_REFS;
	if (strcmp(rel, "objects/info/packs") == 0)
		return MF_GIT_FILE_INFO_PACKS;
	/* objects/ab/<38 hex> */
	if (n == 8 + 2 + 1 + 38 && strncmp(rel, "objects/", 8) == 0 &&
	    mf_hex_is_lower(rel + 8, 2) && rel[10] == '/' &&
	    mf_hex_is_lower(rel + 11, 38))
		return MF_GIT_FILE_LOOSE;
	/* objects/pack/pack-<40 hex>.pack or .idx */
	if (strncmp(rel, "objects/pack/pack-", 18) == 0 && n > 18 + 40 &&
	    mf_hex_is_lower(rel + 18, 40)) {
		if (strcmp(rel + 58, ".pack") == 0)
			return MF_GIT_FILE_PACK;
		if (strcmp(rel + 58, ".idx") == 0)
			return MF_GIT_FILE_PACK_INDEX;
	}
	/*
	 * Everything else, objects/info/alternates and http-alternates
	 * included (we have none), is not served.
	 */
	return MF_GIT_FILE_NONE;
}

const char *
mf_git_file_content_type(enum mf_git_file kind)
{
	return kind > MF_GIT_FILE_NONE && kind < MF_GIT_FILE__MAX
	           ? file_kinds[kind].content_type
	           : NULL;
}

bool
mf_git_file_immutable(enum mf_git_file kind)
{
	return kind > MF_GIT_FILE_NONE && kind < MF_GIT_FILE__MAX &&
	       file_kinds[kind].immutable;
}

static int
not_found(struct mf_request *req)
{
	mf_error_set(&req->err, MF_E_NOT_FOUND, NULL,
	             "no such file in the repository: %s", req->path);
	return mf_http_respond_error(req, &req->err);
}

int
mf_h_git_file(struct mf_request *req)
{
	const char *rel = mf_http_param(req, 0);
	enum mf_git_file kind = mf_git_file_classify(rel);
	const char *dir = req->app->git_dir;
	char path[4096];
	struct stat st;
	int fd, rc = 0;

	if (kind == MF_GIT_FILE_NONE || dir == NULL)
		return not_found(req);
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, rel) >=
	    sizeof(path))
		return not_found(req);
	/*
	 * A loose object may have just been packed and removed: 404 is
	 * then the right answer, the client looks in the packs next.
	 */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0) {
		if (errno == ENOENT || errno == ENOTDIR || errno == ELOOP)
			return not_found(req);
		return mf_error_set(&req->err, MF_E_IO, NULL,
		                    "cannot open %s: %s", rel, strerror(errno));
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return not_found(req);
	}
	if (mf_git_file_immutable(kind)) {
		rc = mf_http_set_header(req, "Cache-Control",
		                        "public, max-age=31536000, immutable");
	} else {
		/* refs move: every clone must see the current ones */
		rc = mf_http_set_header(req, "Cache-Control",
		                        "no-cache, max-age=0, must-revalidate");
		if (rc == 0)
			rc = mf_http_set_header(req, "Pragma", "no-cache");
		if (rc == 0)
			rc = mf_http_set_header(
			    req, "Expires", "Fri, 01 Jan 1980 00:00:00 GMT");
	}
	if (rc != 0) {
		close(fd);
		return rc;
	}
	return mf_http_respond_file(req, 200, mf_git_file_content_type(kind),
	                            fd, (uint64_t)st.st_size);
}
