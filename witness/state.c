/*
 * The witness's state and evidence files (see state.h). A witness is only
 * as good as its memory: if it forgot (or half-wrote) the tree head it
 * cosigned, a log could get it to cosign a conflicting one, so every
 * write here is atomic and durable, and a file that does not read back
 * exactly is an error, never an empty state.
 */
#include "witness/state.h"
#include "common/buf.h"
#include "common/encoding.h"
#include "common/file.h"
#include "merkle/checkpoint.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/sha.h>

#define STATE_MAGIC "modelfacts-witness-state v1\n"

void
mf_witness_state_init(struct mf_witness_state *st)
{
	memset(st, 0, sizeof(*st));
}

void
mf_witness_state_dispose(struct mf_witness_state *st)
{
	if (st == NULL)
		return;
	free(st->note);
	mf_witness_state_init(st);
}

void
mf_witness_origin_hash(char out[65], const char *origin)
{
	uint8_t d[SHA256_DIGEST_LENGTH];

	SHA256((const uint8_t *)origin, strlen(origin), d);
	mf_hex_encode(out, d, sizeof(d));
}

/*
 * fsync of path's parent directory, so that an entry just made in it
 * (a new directory) survives a power loss: the files written inside
 * are synced themselves, but the directory holding them must be too.
 */
static int
sync_parent(const char *path, struct mf_error *err)
{
	char parent[4096];
	char *slash;
	size_t n = strlen(path);
	int fd, rc = 0;

	if (n >= sizeof(parent))
		return mf_error_set(err, MF_E_IO, NULL, "%s: path too long",
		                    path);
	memcpy(parent, path, n + 1);
	while (n > 1 && parent[n - 1] == '/')
		parent[--n] = '\0';
	if ((slash = strrchr(parent, '/')) == NULL)
		strcpy(parent, ".");
	else if (slash == parent)
		parent[1] = '\0';
	else
		*slash = '\0';
	if ((fd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 ||
	    fsync(fd) != 0)
		rc = mf_error_set(err, MF_E_IO, NULL, "cannot sync %s: %s",
		                  parent, strerror(errno));
	if (fd >= 0)
		close(fd);
	return rc;
}

static int
make_dir(const char *path, struct mf_error *err)
{
	struct stat sb;

	if (mkdir(path, 0700) == 0)
		return sync_parent(path, err); /* new: made durable */
	if (errno != EEXIST)
		return mf_error_set(err, MF_E_IO, NULL, "cannot create %s: %s",
		                    path, strerror(errno));
	if (stat(path, &sb) != 0 || !S_ISDIR(sb.st_mode))
		return mf_error_set(err, MF_E_IO, NULL, "%s is not a directory",
		                    path);
	return 0;
}

/*
 * Removes the temporaries write_durably leaves when killed between
 * mkstemp and rename (".tmp-" and 6 characters): never renamed, so never
 * answered, and safe to drop.
 */
static void
remove_temporaries(const char *dir)
{
	char path[4096 + 256];
	struct dirent *de;
	DIR *d;

	if ((d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL)
		if (strlen(de->d_name) == 11 &&
		    strncmp(de->d_name, ".tmp-", 5) == 0) {
			snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
			unlink(path);
		}
	closedir(d);
}

int
mf_witness_state_prepare(const char *dir, struct mf_error *err)
{
	char path[4096];
	int rc;

	if ((rc = make_dir(dir, err)) != 0)
		return rc;
	snprintf(path, sizeof(path), "%s/evidence", dir);
	if ((rc = make_dir(path, err)) != 0)
		return rc;
	remove_temporaries(dir);
	remove_temporaries(path);
	return 0;
}

static void
log_path(char *out, size_t n, const char *dir, const char *origin,
         const char *suffix)
{
	char hex[65];

	mf_witness_origin_hash(hex, origin);
	snprintf(out, n, "%s/log-%s.%s", dir, hex, suffix);
}

int
mf_witness_state_lock(int *fd, const char *dir, const char *origin,
                      struct mf_error *err)
{
	char path[4096];
	int f;

	*fd = -1;
	log_path(path, sizeof(path), dir, origin, "lock");
	if ((f = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0)
		return mf_error_set(err, MF_E_IO, NULL, "cannot open %s: %s",
		                    path, strerror(errno));
	while (flock(f, LOCK_EX) != 0) {
		if (errno == EINTR)
			continue;
		close(f);
		return mf_error_set(err, MF_E_IO, NULL, "cannot lock %s: %s",
		                    path, strerror(errno));
	}
	*fd = f;
	return 0;
}

void
mf_witness_state_unlock(int fd)
{
	if (fd >= 0)
		close(fd); /* releases the flock */
}

/* Writes all of data to fd; 0 or -1. */
static int
write_all(int fd, const char *data, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * dir/name := data, atomically and durably: a temporary file in the same
 * directory, fsync, rename over the name, fsync of the directory.
 */
static int
write_durably(const char *dir, const char *name, const char *data, size_t len,
              struct mf_error *err)
{
	char tmp[4096], path[4096];
	int fd = -1, dfd = -1, rc;

	/* 1. The new contents under a temporary name, on disk. */
	snprintf(tmp, sizeof(tmp), "%s/.tmp-XXXXXX", dir);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fd = mkstemp(tmp)) < 0) {
		tmp[0] = '\0';
		rc = mf_error_set(err, MF_E_IO, NULL, "cannot create in %s: %s",
		                  dir, strerror(errno));
		goto done;
	}
	if (write_all(fd, data, len) != 0 || fsync(fd) != 0) {
		rc = mf_error_set(err, MF_E_IO, NULL, "cannot write %s: %s",
		                  tmp, strerror(errno));
		goto done;
	}
	if (close(fd) != 0) {
		fd = -1;
		rc = mf_error_set(err, MF_E_IO, NULL, "cannot write %s: %s",
		                  tmp, strerror(errno));
		goto done;
	}
	fd = -1;
	/* 2. Into place, and the rename itself on disk. */
	if (rename(tmp, path) != 0) {
		rc = mf_error_set(err, MF_E_IO, NULL, "cannot rename to %s: %s",
		                  path, strerror(errno));
		goto done;
	}
	tmp[0] = '\0';
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 ||
	    fsync(dfd) != 0) {
		rc = mf_error_set(err, MF_E_IO, NULL, "cannot sync %s: %s", dir,
		                  strerror(errno));
		goto done;
	}
	rc = 0;
done:
	if (fd >= 0)
		close(fd);
	if (dfd >= 0)
		close(dfd);
	if (tmp[0] != '\0')
		unlink(tmp);
	return rc;
}

int
mf_witness_state_store(const char *dir, const char *origin, uint64_t size,
                       const uint8_t root[MF_MERKLE_HASH_LEN], const char *note,
                       size_t note_len, struct mf_error *err)
{
	struct mf_buf b = MF_BUF_INIT;
	char name[128], hex[65], b64[64];
	int rc;

	mf_witness_origin_hash(hex, origin);
	snprintf(name, sizeof(name), "log-%s.state", hex);
	mf_base64_encode(b64, root, MF_MERKLE_HASH_LEN);
	if ((rc = mf_buf_printf(&b, STATE_MAGIC "%" PRIu64 "\n%s\n\n", size,
	                        b64)) != 0 ||
	    (rc = mf_buf_append(&b, note, note_len)) != 0) {
		rc = mf_error_set(err, rc, NULL, "out of memory");
		goto done;
	}
	rc = write_durably(dir, name, b.data, b.len, err);
done:
	mf_buf_dispose(&b);
	return rc;
}

/* Parses the state file's text into st; -1 when it is not one. */
static int
parse_state(struct mf_witness_state *st, const char *text, size_t len,
            const char *origin)
{
	struct mf_checkpoint cp;
	const char *p = text, *end = text + len, *nl, *note;
	uint8_t *raw = NULL;
	size_t n = 0, ml = strlen(STATE_MAGIC);
	char *e;
	int ok = 0;

	mf_checkpoint_init(&cp);
	/* 1. Magic, size, root, blank line. */
	if (len < ml || memcmp(p, STATE_MAGIC, ml) != 0)
		goto done;
	p += ml;
	if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL || nl == p ||
	    (p[0] == '0' && nl - p > 1) || p[0] < '0' || p[0] > '9')
		goto done;
	errno = 0;
	st->size = strtoull(p, &e, 10);
	if (errno != 0 || e != nl)
		goto done;
	p = nl + 1;
	if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL ||
	    mf_base64_decode(&raw, &n, p, (size_t)(nl - p)) != 0 ||
	    n != MF_MERKLE_HASH_LEN)
		goto done;
	memcpy(st->root, raw, n);
	p = nl + 1;
	if (p >= end || *p != '\n')
		goto done;
	note = p + 1;
	/* 2. The checkpoint says the same, for this origin. */
	for (p = note; p + 1 < end; p++)
		if (p[0] == '\n' && p[1] == '\n')
			break;
	if (p + 1 >= end ||
	    mf_checkpoint_parse(&cp, note, (size_t)(p + 1 - note), NULL) != 0 ||
	    strcmp(cp.origin, origin) != 0 || cp.size != st->size ||
	    memcmp(cp.root, st->root, MF_MERKLE_HASH_LEN) != 0)
		goto done;
	st->note_len = (size_t)(end - note);
	if ((st->note = malloc(st->note_len + 1)) == NULL)
		goto done;
	memcpy(st->note, note, st->note_len);
	st->note[st->note_len] = '\0';
	ok = 1;
done:
	free(raw);
	mf_checkpoint_dispose(&cp);
	return ok ? 0 : -1;
}

int
mf_witness_state_load(struct mf_witness_state *st, const char *dir,
                      const char *origin, struct mf_error *err)
{
	char path[4096], *text = NULL;
	size_t len = 0;
	int rc;

	mf_witness_state_init(st);
	log_path(path, sizeof(path), dir, origin, "state");
	if (access(path, F_OK) != 0 && errno == ENOENT)
		return 0; /* never cosigned */
	if ((rc = mf_file_read(&text, &len, path, MF_WITNESS_STATE_MAX, err)) !=
	    0)
		return rc;
	if (parse_state(st, text, len, origin) != 0) {
		mf_witness_state_dispose(st);
		rc = mf_error_set(err, MF_E_INTERNAL, NULL,
		                  "witness state %s is corrupt; refusing to "
		                  "cosign for %s until an operator looks",
		                  path, origin);
		goto done;
	}
	rc = 0;
done:
	free(text);
	return rc;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
names_free(char **names, size_t n)
{
	while (n > 0)
		free(names[--n]);
	free(names);
}

/* Names of the *.json files in DIR/evidence, sorted (oldest first: they start
 * with the time). *out new, each name new. */
static int
evidence_names(char ***out, size_t *n_out, const char *edir,
               struct mf_error *err)
{
	DIR *d;
	struct dirent *de;
	char **names = NULL, **grown;
	size_t n = 0, cap = 0, len;
	int rc = 0;

	*out = NULL;
	*n_out = 0;
	if ((d = opendir(edir)) == NULL)
		return mf_error_set(err, MF_E_IO, NULL, "cannot read %s: %s",
		                    edir, strerror(errno));
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (de->d_name[0] == '.' || len < 6 ||
		    strcmp(de->d_name + len - 5, ".json") != 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			if ((grown = realloc(names, cap * sizeof(*names))) ==
			    NULL) {
				rc = MF_E_NOMEM;
				break;
			}
			names = grown;
		}
		if ((names[n] = strdup(de->d_name)) == NULL) {
			rc = MF_E_NOMEM;
			break;
		}
		n++;
	}
	closedir(d);
	if (rc != 0) {
		names_free(names, n);
		return mf_error_set(err, rc, NULL, "out of memory");
	}
	if (n > 0)
		qsort(names, n, sizeof(*names), name_cmp);
	*out = names;
	*n_out = n;
	return 0;
}

int
mf_witness_evidence_record(const char *dir, const json_t *evidence,
                           struct mf_error *err)
{
	json_t *body = NULL;
	char edir[4096], name[128], hex[65], *text = NULL, **names = NULL;
	const char *origin, *kind;
	uint8_t d[SHA256_DIGEST_LENGTH];
	char dhex[2 * SHA256_DIGEST_LENGTH + 1];
	size_t n = 0, i, len, room;
	int rc;

	origin = json_string_value(json_object_get(evidence, "origin"));
	kind = json_string_value(json_object_get(evidence, "kind"));
	if (origin == NULL || kind == NULL)
		return mf_error_set(err, MF_E_INTERNAL, NULL,
		                    "evidence without an origin or a kind");
	snprintf(edir, sizeof(edir), "%s/evidence", dir);
	/* 1. What identifies it: everything but the time it was seen. A
	 * smaller checkpoint is refused before its old size and proof are
	 * looked at, so it is identified by the pair of checkpoints alone
	 * (a replay with other proof lines is the same lead, not a file). */
	if ((body = json_deep_copy(evidence)) == NULL) {
		rc = mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
		goto done;
	}
	json_object_del(body, "recorded_at");
	if (strcmp(kind, "smaller_after_larger") == 0) {
		json_object_del(body, "old_size");
		json_object_del(body, "proof");
	}
	if ((text = json_dumps(body, JSON_SORT_KEYS | JSON_COMPACT)) == NULL) {
		rc = mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
		goto done;
	}
	SHA256((const uint8_t *)text, strlen(text), d);
	mf_hex_encode(dhex, d, sizeof(d));
	mf_witness_origin_hash(hex, origin);
	/* 2. Kept once, and within bounds. */
	if ((rc = evidence_names(&names, &n, edir, err)) != 0)
		goto done;
	for (i = 0; i < n; i++) {
		len = strlen(names[i]);
		/* "<20-digit time>-<origin16>-<digest16>.json" */
		if (len == 59 && memcmp(names[i] + 38, dhex, 16) == 0 &&
		    memcmp(names[i] + 21, hex, 16) == 0) {
			rc = 0; /* already recorded */
			goto done;
		}
	}
	/* Leads (which anyone holding genuine checkpoints can make) leave
	 * the last files to proofs by themselves, which only a forking log
	 * can make: a flood of leads never silences a fork. */
	room = strcmp(kind, "same_size_different_root") == 0
	           ? MF_WITNESS_EVIDENCE_KEEP
	           : MF_WITNESS_EVIDENCE_KEEP - MF_WITNESS_EVIDENCE_RESERVE;
	if (n >= room) {
		rc = mf_error_set(err, MF_E_TOO_LARGE, NULL,
		                  "%zu pieces of evidence are kept already "
		                  "(%s evidence is kept up to %zu)",
		                  n, kind, room);
		goto done;
	}
	/* 3. Written like the state: whole, or not at all. */
	free(text);
	if ((text = json_dumps(evidence, JSON_SORT_KEYS | JSON_INDENT(2))) ==
	    NULL) {
		rc = mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
		goto done;
	}
	snprintf(name, sizeof(name), "%020lld-%.16s-%.16s.json",
	         (long long)time(NULL), hex, dhex);
	rc = write_durably(edir, name, text, strlen(text), err);
done:
	names_free(names, n);
	free(text);
	json_decref(body);
	return rc;
}

int
mf_witness_evidence_list(json_t **out, const char *dir, struct mf_error *err)
{
	json_t *list = NULL, *ev;
	json_error_t jerr;
	char edir[4096], path[4096 + 256], *text = NULL, **names = NULL;
	size_t n = 0, i, len;
	int rc;

	*out = NULL;
	snprintf(edir, sizeof(edir), "%s/evidence", dir);
	if ((rc = evidence_names(&names, &n, edir, err)) != 0)
		return rc;
	if ((list = json_array()) == NULL) {
		rc = mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
		goto done;
	}
	/* The newest ones, oldest first; a file that does not read is
	 * reported as such rather than dropped. */
	for (i = n > MF_WITNESS_EVIDENCE_LIST ? n - MF_WITNESS_EVIDENCE_LIST
	                                      : 0;
	     i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", edir, names[i]);
		ev = NULL;
		if (mf_file_read(&text, &len, path, MF_WITNESS_EVIDENCE_MAX,
		                 NULL) == 0)
			ev = json_loadb(text, len, JSON_REJECT_DUPLICATES,
			                &jerr);
		free(text);
		text = NULL;
		if (!json_is_object(ev)) {
			json_decref(ev);
			ev = json_pack("{s:s}", "error", "unreadable");
		}
		if (ev == NULL ||
		    json_object_set_new(ev, "file", json_string(names[i])) !=
		        0 ||
		    json_array_append_new(list, ev) != 0) {
			rc = mf_error_set(err, MF_E_NOMEM, NULL,
			                  "out of memory");
			goto done;
		}
	}
	*out = list;
	list = NULL;
	rc = 0;
done:
	names_free(names, n);
	json_decref(list);
	return rc;
}
