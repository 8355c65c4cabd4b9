/*
 * The files a dumb-HTTP client reads before any object (see
 * serverinfo.h): info/refs, from the ref cache, and objects/info/packs,
 * the live packs newest first. Both are replaced by rename, so a client
 * sees an old or a new list, and a pack is listed only once it and its
 * index are complete.
 */
#include "git/serverinfo.h"
#include "git/files.h"
#include "git/refs.h"
#include "common/encoding.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int
mf_gitrepo_write_info_refs(struct mf_gitrepo *r, struct mf_error *err)
{
	struct mf_buf b = MF_BUF_INIT;
	int rc;

	/* An empty repository still gets a (empty) file: clients ask. */
	if ((rc = mf_gitrepo_refs_format(r, true, &b)) != 0)
		rc = mf_error_set(err, rc, NULL, "out of memory");
	else
		rc = mf_gitrepo_write_atomic(
		    r, "info/refs", b.data ? b.data : "", b.len, false, err);
	mf_buf_dispose(&b);
	return rc;
}

static int
cmp_pack_mtime(const void *a, const void *b)
{
	const struct mf_gitrepo_packinfo *x = a, *y = b;

	/* newest first: a client looks for recent objects there first */
	if (x->mtime != y->mtime)
		return x->mtime > y->mtime ? -1 : 1;
	return strcmp(x->name, y->name);
}

static bool
is_old_pack(const struct mf_gitrepo *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->noldpacks; i++)
		if (strncmp(r->oldpacks[i].name, name, 45) == 0)
			return true;
	return false;
}

int
mf_gitrepo_list_packs(struct mf_gitrepo *r, struct mf_gitrepo_packinfo **out,
                      size_t *nout, struct mf_error *err)
{
	struct mf_gitrepo_packinfo *v = NULL, *nv;
	size_t n = 0, cap = 0;
	struct dirent *de;
	struct stat st, ist;
	char dir[4096], path[4300];
	DIR *d;

	*out = NULL;
	*nout = 0;
	snprintf(dir, sizeof(dir), "%s/objects/pack", r->path);
	if ((d = opendir(dir)) == NULL)
		return errno == ENOENT
		           ? 0
		           : mf_error_set(err, MF_E_IO, NULL, "open %s: %s",
		                          dir, strerror(errno));
	while ((de = readdir(d)) != NULL) {
		if (strlen(de->d_name) != 50 ||
		    strncmp(de->d_name, "pack-", 5) != 0 ||
		    strcmp(de->d_name + 45, ".pack") != 0 ||
		    !mf_hex_is_lower(de->d_name + 5, 40) ||
		    is_old_pack(r, de->d_name))
			continue;
		/* the index is renamed into place last: then it is complete */
		snprintf(path, sizeof(path), "%s/%.45s.idx", dir, de->d_name);
		if (stat(path, &ist) != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%.50s", dir, de->d_name);
		if (stat(path, &st) != 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			if ((nv = realloc(v, cap * sizeof(*v))) == NULL) {
				closedir(d);
				free(v);
				return mf_error_set(err, MF_E_NOMEM, NULL,
				                    "out of memory");
			}
			v = nv;
		}
		memcpy(v[n].name, de->d_name, 45);
		v[n].name[45] = '\0';
		v[n].size = (uint64_t)st.st_size;
		v[n++].mtime = ist.st_mtime;
	}
	closedir(d);
	*out = v;
	*nout = n;
	return 0;
}

/*
 * objects/info/packs: "P pack-<id>.pack" for every complete pack not
 * merged away, then a blank line, as git writes it.
 */
int
mf_gitrepo_write_info_packs(struct mf_gitrepo *r, struct mf_error *err)
{
	struct mf_gitrepo_packinfo *v = NULL;
	struct mf_buf b = MF_BUF_INIT;
	size_t n = 0, i;
	int rc;

	if ((rc = mf_gitrepo_list_packs(r, &v, &n, err)) != 0)
		return rc;
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_pack_mtime);
	for (i = 0; i < n && rc == 0; i++)
		rc = mf_buf_printf(&b, "P %s.pack\n", v[i].name);
	if (rc == 0)
		rc = mf_buf_putc(&b, '\n');
	if (rc == 0)
		rc = mf_gitrepo_write_atomic(r, "objects/info/packs", b.data,
		                             b.len, false, err);
	else
		rc = mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
	free(v);
	mf_buf_dispose(&b);
	return rc;
}

int
mf_gitrepo_update_server_info(struct mf_gitrepo *r, struct mf_error *err)
{
	char dir[4096];
	int rc;

	snprintf(dir, sizeof(dir), "%s/objects/info", r->path);
	if (mkdir(dir, 0755) != 0 && errno != EEXIST)
		return mf_error_set(err, MF_E_IO, NULL, "mkdir %s: %s", dir,
		                    strerror(errno));
	snprintf(dir, sizeof(dir), "%s/info", r->path);
	if (mkdir(dir, 0755) != 0 && errno != EEXIST)
		return mf_error_set(err, MF_E_IO, NULL, "mkdir %s: %s", dir,
		                    strerror(errno));
	if ((rc = mf_gitrepo_refs_load(r, err)) != 0 ||
	    (rc = mf_gitrepo_write_info_refs(r, err)) != 0)
		return rc;
	return mf_gitrepo_write_info_packs(r, err);
}
