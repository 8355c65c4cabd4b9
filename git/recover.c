/*
 * Crash recovery (mf_gitrepo_recover, see git/repo.h): what a killed
 * writer leaves behind is lock files, which would make every later ref
 * update fail, and temporary files and packs without an index (killed
 * between the two renames of a new pack, or the two deletions of a
 * merged-away one), which nothing reads. Everything else is safe as it
 * is: a pack is used only once its index exists, and refs/heads/main
 * moves last.
 */
#include "git/handle.h"
#include "common/diag.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool
has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* Removes *.lock below dir (recursively), counting into *removed. */
static int
remove_locks(const char *dir, unsigned *removed, int depth,
             struct mf_error *err)
{
	struct dirent *de;
	struct stat st;
	char path[4096];
	DIR *d;
	int rc = 0;

	if (depth > 16 || (d = opendir(dir)) == NULL)
		return 0;
	while (rc == 0 && (de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir,
		                     de->d_name) >= sizeof(path) ||
		    lstat(path, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode))
			rc = remove_locks(path, removed, depth + 1, err);
		else if (has_suffix(de->d_name, ".lock")) {
			if (unlink(path) != 0)
				rc = mf_error_set(err, MF_E_IO, NULL,
				                  "remove %s: %s", path,
				                  strerror(errno));
			else
				(*removed)++;
		}
	}
	closedir(d);
	return rc;
}

/* Removes <dir>/<prefix>* (temporary files of an interrupted writer). */
static void
remove_temps(const char *dir, const char *prefix, unsigned *removed)
{
	struct dirent *de;
	char path[4400];
	size_t n = strlen(prefix);
	DIR *d;

	if ((d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, prefix, n) == 0) {
			snprintf(path, sizeof(path), "%s/%.255s", dir,
			         de->d_name);
			if (unlink(path) == 0)
				(*removed)++;
		}
	closedir(d);
}

/* Removes objects/pack/pack-*.pack files that have no .idx beside them. */
static void
remove_unindexed(const char *dir, unsigned *removed)
{
	struct dirent *de;
	struct stat st;
	char path[4400];
	size_t n;
	DIR *d;

	if ((d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		n = strlen(de->d_name);
		if (n != 50 || strncmp(de->d_name, "pack-", 5) != 0 ||
		    !has_suffix(de->d_name, ".pack"))
			continue;
		snprintf(path, sizeof(path), "%s/%.45s.idx", dir, de->d_name);
		if (stat(path, &st) == 0 || errno != ENOENT)
			continue;
		snprintf(path, sizeof(path), "%s/%.50s", dir, de->d_name);
		if (unlink(path) == 0)
			(*removed)++;
	}
	closedir(d);
}

int
mf_gitrepo_recover(struct mf_gitrepo *r, unsigned *removed,
                   struct mf_error *err)
{
	char path[4096];
	unsigned n = 0;
	int rc;

	snprintf(path, sizeof(path), "%s/refs", r->path);
	if ((rc = remove_locks(path, &n, 0, err)) != 0)
		return rc;
	snprintf(path, sizeof(path), "%s/packed-refs.lock", r->path);
	if (unlink(path) == 0)
		n++;
	snprintf(path, sizeof(path), "%s/info", r->path);
	remove_temps(path, "refs.tmp-", &n);
	snprintf(path, sizeof(path), "%s/objects/info", r->path);
	remove_temps(path, "packs.tmp-", &n);
	/* a pack or index being written (packfile.c) */
	snprintf(path, sizeof(path), "%s/objects/pack", r->path);
	remove_temps(path, "tmp_pack_", &n);
	remove_temps(path, "tmp_idx_", &n);
	remove_unindexed(path, &n);
	if (n > 0)
		mf_diag_warn("git: removed %u files left by an interrupted "
		             "writer in %s",
		             n, r->path);
	if (removed != NULL)
		*removed = n;
	return mf_gitrepo_update_server_info(r, err);
}
