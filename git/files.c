/*
 * File primitives of the git layer (see files.h): atomic replacement by
 * rename, under git's lock protocol where git itself may write the same
 * file, and small reads. Everything a dumb-HTTP client or git reads goes
 * through here, so no reader ever sees half a file.
 */
#include "git/files.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int
mf_gitrepo_write_atomic(struct mf_gitrepo *r, const char *rel, const void *data,
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

int
mf_gitrepo_read_small(const char *path, struct mf_buf *b, bool *found,
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
