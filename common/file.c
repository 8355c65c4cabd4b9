/*
 * Whole-file reads with a size limit (see file.h): through an mf_buf, so
 * the limit is checked as the bytes arrive and a file that grows while it
 * is read cannot exceed it.
 */
#include "common/file.h"
#include "common/buf.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int
mf_file_read(char **out, size_t *len, const char *path, size_t max,
             struct mf_error *err)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	struct mf_buf b;
	char chunk[65536];
	size_t n;
	int rc = 0;

	*out = NULL;
	if (f == NULL)
		return mf_error_set(err, MF_E_IO, NULL, "cannot open %s: %s",
		                    path, strerror(errno));
	mf_buf_init(&b, max);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if ((rc = mf_buf_append(&b, chunk, n)) != 0) {
			if (rc == MF_E_TOO_LARGE)
				mf_error_set(err, rc, NULL,
				             "%s is larger than %zu bytes",
				             path, max);
			goto done;
		}
	if (ferror(f)) {
		rc = mf_error_set(err, MF_E_IO, NULL, "cannot read %s", path);
		goto done;
	}
	*out = mf_buf_detach(&b, len);
	if (*out == NULL)
		rc = MF_E_NOMEM;
done:
	mf_buf_dispose(&b);
	if (f != stdin)
		fclose(f);
	return rc;
}
