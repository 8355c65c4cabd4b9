/*
 * modelfacts admin restore DIR: brings back what `admin backup` wrote,
 * into an empty database, a new git directory and a state directory
 * without keys. Nothing is touched until every file of the backup
 * matches the manifest, the manifest matches its sealed digest and every
 * sealed key opens; then pg_restore (one transaction), the repository
 * from the bundle, the keys (0600), and a last check that the restored
 * log's checkpoint is the manifest's.
 */
#include "cli/backup.h"
#include "cli/commands.h"
#include "cli/util.h"
#include "common/encoding.h"
#include "common/error.h"
#include "common/file.h"
#include "common/json.h"
#include "db/db.h"
#include "db/registry.h"
#include "db/tlog.h"
#include "merkle/note.h"

#include <openssl/crypto.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PATH_MAX_LEN 4096
#define N_SECRETS    3

static void
usage(FILE *out)
{
	fprintf(out,
	        "usage: modelfacts admin restore DIR (--passphrase-file FILE | "
	        "--identity KEY)\n"
	        "                  [--database-url CONNINFO] [--state-dir DIR] "
	        "[--git-dir DIR]\n\n"
	        "Restores a backup made by `modelfacts admin backup` into an "
	        "empty database\n(e.g. of a fresh cluster), a git directory "
	        "that does not exist yet or is\nempty, and a state directory "
	        "without keys. First it checks every file's\nsize and SHA-256 "
	        "against manifest.json, the manifest against its sealed\n"
	        "digest, and that every sealed key opens with the passphrase "
	        "and is the key\nthe manifest names; a backup that fails any "
	        "check is refused and nothing\nis changed. Then pg_restore "
	        "(one transaction), the repository from the\nbundle, the keys "
	        "(mode 0600), and a check that the restored log's latest\n"
	        "checkpoint is the manifest's.\n\n"
	        "  --passphrase-file FILE  the backup's passphrase\n"
	        "  --identity KEY          or the X25519 private key (PEM) of "
	        "a backup sealed\n"
	        "                          to a recipient key\n"
	        "  --database-url CONNINFO the empty database (else "
	        "$DATABASE_URL, else\n"
	        "                          $MODELFACTS_DATABASE_URL)\n"
	        "  --state-dir DIR         the new server's state directory "
	        "(else\n"
	        "                          $MODELFACTS_STATE_DIR, else var)\n"
	        "  --git-dir DIR           where the repository goes (else "
	        "$MODELFACTS_GIT_DIR,\n"
	        "                          else STATE-DIR/labels.git)\n\n"
	        "Needs pg_restore and git on PATH. Exit 0 restored, 1 the "
	        "backup was changed\nor the passphrase is wrong, 2 usage, a "
	        "target not empty, or I/O error.\n\n"
	        "examples:\n"
	        "  modelfacts admin restore /backups/2026-12-03 "
	        "--passphrase-file ~/.mf-backup-pass \\\n"
	        "      --database-url postgresql:///modelfacts --state-dir "
	        "/srv/modelfacts/var\n"
	        "  modelfacts admin restore /backups/today --identity "
	        "ops-x25519.pem\n");
}

/* One secret of the backup, opened in memory. */
struct secret {
	const char *name;
	char *data;
	size_t len;
};

/* A file name the manifest may list: plain, inside DIR. */
static int
plain_name(const char *name)
{
	return name[0] != '\0' && name[0] != '.' && strchr(name, '/') == NULL &&
	       strlen(name) < 200;
}

/* The manifest's digest: what manifest.sha256.sealed holds. 0, or 1. */
static int
check_manifest_seal(const char *dir, const struct mf_seal_key *key)
{
	struct mf_error err;
	char path[PATH_MAX_LEN], hex[65], msg[256], *sealed = NULL,
	                                            *open = NULL;
	size_t len = 0, olen = 0;
	uint64_t size;
	int rc = 1;

	mf_error_init(&err);
	snprintf(path, sizeof(path), "%s/%s", dir, MF_BACKUP_MANIFEST_SEAL);
	if (mf_file_read(&sealed, &len, path, 4096, &err) != 0) {
		fprintf(stderr, "modelfacts: %s\n", err.message);
		goto done;
	}
	if (mf_unseal(&open, &olen, MF_BACKUP_MANIFEST, (uint8_t *)sealed, len,
	              key, msg, sizeof(msg)) != 0) {
		fprintf(stderr, "modelfacts: %s\n", msg);
		goto done;
	}
	snprintf(path, sizeof(path), "%s/%s", dir, MF_BACKUP_MANIFEST);
	if (mf_backup_file_sha256(path, hex, &size) != 0 || olen != 64 ||
	    memcmp(open, hex, 64) != 0) {
		fprintf(stderr,
		        "modelfacts: %s was changed after the backup (its "
		        "SHA-256 is not the sealed one)\n",
		        path);
		goto done;
	}
	rc = 0;
done:
	free(sealed);
	free(open);
	mf_error_dispose(&err);
	return rc;
}

/* Every listed file's size and SHA-256; prints each mismatch. 0, or 1. */
static int
check_files(const json_t *files, const char *dir)
{
	char path[PATH_MAX_LEN], hex[65];
	const char *name, *want;
	uint64_t size;
	json_t *f;
	size_t i;
	int bad = 0, dump = 0;

	if (!json_is_array(files)) {
		fprintf(stderr, "modelfacts: the manifest lists no files\n");
		return 1;
	}
	json_array_foreach(files, i, f)
	{
		name = mf_json_str(f, "name");
		want = mf_json_str(f, "sha256");
		if (name == NULL || want == NULL || !plain_name(name)) {
			fprintf(stderr,
			        "modelfacts: manifest /files/%zu is "
			        "malformed\n",
			        i);
			bad = 1;
			continue;
		}
		dump |= strcmp(name, MF_BACKUP_DUMP) == 0;
		snprintf(path, sizeof(path), "%s/%s", dir, name);
		if (mf_backup_file_sha256(path, hex, &size) != 0) {
			fprintf(stderr, "modelfacts: %s: %s\n", path,
			        strerror(errno));
			bad = 1;
		} else if (size != (uint64_t)json_integer_value(
		                       json_object_get(f, "size")) ||
		           strcmp(hex, want) != 0) {
			fprintf(stderr,
			        "modelfacts: %s does not match the manifest "
			        "(sha256 %s, %" PRIu64 " bytes; expected %s)\n",
			        path, hex, size, want);
			bad = 1;
		}
	}
	if (!dump) {
		fprintf(stderr, "modelfacts: the manifest lists no %s\n",
		        MF_BACKUP_DUMP);
		bad = 1;
	}
	return bad;
}

/* Whether the array of strings a holds name. */
static int
listed(const json_t *a, const char *name)
{
	const json_t *v;
	size_t i;

	json_array_foreach(a, i, v) if (json_is_string(v) &&
	                                strcmp(json_string_value(v), name) ==
	                                    0) return 1;
	return 0;
}

/* Opens the sealed secrets the manifest names; checks the log key. */
static int
open_secrets(struct secret *s, const json_t *manifest, const char *dir,
             const struct mf_seal_key *key)
{
	struct mf_note_signer *signer = NULL;
	struct mf_error err;
	const char *want;
	char path[PATH_MAX_LEN], msg[256], *sealed = NULL, *vkey = NULL;
	size_t i, len = 0;
	int rc = 1;

	mf_error_init(&err);
	for (i = 0; i < N_SECRETS; i++) {
		/* 1. Opened in memory when the manifest names it (the
		 * manifest's files list made sure it is there, unchanged). */
		if (!listed(json_object_get(manifest, "secrets"), s[i].name))
			continue;
		snprintf(path, sizeof(path), "%s/%s.sealed", dir, s[i].name);
		free(sealed);
		sealed = NULL;
		if (mf_file_read(&sealed, &len, path, 1 << 20, &err) != 0) {
			fprintf(stderr, "modelfacts: %s\n", err.message);
			goto done;
		}
		if (mf_unseal(&s[i].data, &s[i].len, s[i].name,
		              (uint8_t *)sealed, len, key, msg,
		              sizeof(msg)) != 0) {
			fprintf(stderr, "modelfacts: %s\n", msg);
			goto done;
		}
	}
	/* 2. The log key is the one the backed-up log is signed with. */
	want = mf_json_str(json_object_get(manifest, "log"), "verifier_key");
	if (s[0].data != NULL && want != NULL) {
		char *t = s[0].data;
		size_t n = s[0].len;
		char *copy = strndup(t, n);

		while (copy != NULL && n > 0 &&
		       (copy[n - 1] == '\n' || copy[n - 1] == '\r'))
			copy[--n] = '\0';
		if (copy == NULL ||
		    mf_note_signer_new(&signer, copy, &err) != 0 ||
		    mf_note_signer_verifier_key(signer, &vkey) != 0 ||
		    strcmp(vkey, want) != 0) {
			fprintf(stderr, "modelfacts: log.key is not the key "
			                "the manifest's log is signed with\n");
			if (copy != NULL)
				OPENSSL_cleanse(copy, n);
			free(copy);
			goto done;
		}
		OPENSSL_cleanse(copy, n);
		free(copy);
	}
	rc = 0;
done:
	mf_note_signer_free(signer);
	free(vkey);
	free(sealed);
	mf_error_dispose(&err);
	return rc;
}

/* Whether a path does not exist or is an empty directory. */
static int
absent_or_empty(const char *path)
{
	struct dirent *e;
	DIR *d;
	int n = 0;

	if (access(path, F_OK) != 0)
		return 1;
	if ((d = opendir(path)) == NULL)
		return 0;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n == 0;
}

/* The targets are empty: no keys in state, git dir new, no tables. */
static int
check_targets(const struct secret *s, const char *state, const char *git)
{
	struct mf_error err;
	char path[PATH_MAX_LEN];
	int64_t tables = 0;
	size_t i;
	int rc = -1;

	mf_error_init(&err);
	for (i = 0; i < N_SECRETS; i++) {
		snprintf(path, sizeof(path), "%s/%s", state, s[i].name);
		if (access(path, F_OK) == 0) {
			fprintf(stderr,
			        "modelfacts: %s exists: restore into a "
			        "state directory without keys\n",
			        path);
			goto done;
		}
	}
	if (!absent_or_empty(git)) {
		fprintf(stderr, "modelfacts: %s exists and is not empty\n",
		        git);
		goto done;
	}
	if (mf_db_connect(&err) != 0 ||
	    mf_db_count_tables(&tables, &err) != 0) {
		fprintf(stderr, "modelfacts: database: %s\n", err.message);
		goto done;
	}
	if (tables != 0) {
		fprintf(stderr,
		        "modelfacts: the database is not empty (%" PRId64
		        " tables): restore into an empty one\n",
		        tables);
		goto done;
	}
	rc = 0;
done:
	mf_error_dispose(&err);
	return rc;
}

/* The repository: a bare one fetched from the bundle, HEAD as it was. */
static int
restore_repository(const json_t *manifest, const char *dir, const char *git)
{
	const json_t *g = json_object_get(manifest, "git");
	const char *head = mf_json_str(g, "HEAD");
	char bundle[PATH_MAX_LEN];

	snprintf(bundle, sizeof(bundle), "%s/%s", dir, MF_BACKUP_BUNDLE);
	const char *init[] = {"git", "init", "-q", "--bare", git, NULL};
	const char *fetch[] = {"git",
	                       "--git-dir",
	                       git,
	                       "-c",
	                       "transfer.unpackLimit=1",
	                       "fetch",
	                       "-q",
	                       bundle,
	                       "+refs/*:refs/*",
	                       NULL};
	const char *sym[] = {"git",  "--git-dir",
	                     git,    "symbolic-ref",
	                     "HEAD", head ? head : "refs/heads/main",
	                     NULL};
	const char *info[] = {"git", "--git-dir", git, "update-server-info",
	                      NULL};
	if (mf_backup_run(init, NULL) != 0)
		return -1;
	if (!json_is_object(g))
		return mf_backup_run(sym, NULL) == 0 ? 0 : -1;
	if (mf_backup_run(fetch, NULL) != 0 || mf_backup_run(sym, NULL) != 0 ||
	    mf_backup_run(info, NULL) != 0)
		return -1;
	return 0;
}

/* The keys, each new with mode 0600 in a state directory of mode 0700. */
static int
write_secrets(const struct secret *s, const char *state)
{
	char path[PATH_MAX_LEN];
	size_t i;
	int fd;

	if (mkdir(state, 0700) != 0 && errno != EEXIST)
		return -1;
	for (i = 0; i < N_SECRETS; i++) {
		if (s[i].data == NULL)
			continue;
		snprintf(path, sizeof(path), "%s/%s", state, s[i].name);
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0)
			return -1;
		close(fd);
		if (mf_backup_write_file(path, s[i].data, s[i].len) != 0)
			return -1;
	}
	return 0;
}

/* The restored log's latest checkpoint is the manifest's. 0, or 1. */
static int
check_restored_log(const json_t *manifest)
{
	const json_t *log = json_object_get(manifest, "log");
	struct mf_db_checkpoint cp;
	struct mf_error err;
	char *root = NULL;
	int rc = 1;

	mf_error_init(&err);
	if (mf_db_log_checkpoint_latest(&cp, &err) != 0) {
		fprintf(stderr, "modelfacts: database: %s\n", err.message);
		goto done;
	}
	root = mf_base64_encode_alloc(cp.root, sizeof(cp.root));
	if (root == NULL ||
	    cp.size !=
	        (uint64_t)json_integer_value(json_object_get(log, "size")) ||
	    mf_json_str(log, "root") == NULL ||
	    strcmp(root, mf_json_str(log, "root")) != 0) {
		fprintf(stderr,
		        "modelfacts: the restored log (size %" PRIu64
		        ") is not the manifest's\n",
		        cp.size);
		goto done;
	}
	rc = 0;
done:
	free(root);
	free(cp.note);
	mf_error_dispose(&err);
	return rc;
}

int
mf_cli_admin_restore(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"passphrase-file", required_argument, NULL, 'p'},
	    {"identity", required_argument, NULL, 'i'},
	    {"database-url", required_argument, NULL, 'd'},
	    {"state-dir", required_argument, NULL, 's'},
	    {"git-dir", required_argument, NULL, 'g'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct secret s[N_SECRETS] = {{"log.key", NULL, 0},
	                              {"commit.key", NULL, 0},
	                              {"admin.token", NULL, 0}};
	const char *passfile = NULL, *url = NULL, *state = NULL, *git = NULL,
	           *dir, *identity = NULL;
	struct mf_seal_key key = {NULL, 0, NULL};
	char git_buf[PATH_MAX_LEN], path[PATH_MAX_LEN], *pass = NULL,
	                                                *text = NULL;
	struct mf_error err;
	json_t *manifest = NULL;
	size_t pass_len = 0, len = 0, i;
	int c, rc = MF_EXIT_USAGE;

	mf_error_init(&err);
	/* 1. Flags, environment, defaults. */
	optind = 1;
	while ((c = getopt_long(argc, argv, "p:i:d:s:g:h", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			passfile = optarg;
			break;
		case 'i':
			identity = optarg;
			break;
		case 'd':
			url = optarg;
			break;
		case 's':
			state = optarg;
			break;
		case 'g':
			git = optarg;
			break;
		case 'h':
			usage(stdout);
			return MF_EXIT_OK;
		default:
			usage(stderr);
			return MF_EXIT_USAGE;
		}
	}
	if ((passfile == NULL) == (identity == NULL) || optind != argc - 1) {
		usage(stderr);
		return MF_EXIT_USAGE;
	}
	dir = argv[optind];
	if (mf_backup_places(&url, &state, &git, git_buf, sizeof(git_buf)) != 0)
		return MF_EXIT_USAGE;
	if (passfile != NULL &&
	    (pass = mf_backup_passphrase(passfile, &pass_len)) == NULL)
		goto done;
	if (identity != NULL &&
	    (key.x25519 = mf_backup_x25519(identity, 1)) == NULL)
		goto done;
	key.pass = pass;
	key.pass_len = pass_len;
	/* 2. The backup is whole: manifest, files, secrets. */
	snprintf(path, sizeof(path), "%s/%s", dir, MF_BACKUP_MANIFEST);
	if (mf_file_read(&text, &len, path, 4 << 20, &err) != 0) {
		fprintf(stderr, "modelfacts: %s\n", err.message);
		goto done;
	}
	rc = MF_EXIT_FAIL;
	if (check_manifest_seal(dir, &key) != 0)
		goto refused;
	if ((manifest = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL)) ==
	        NULL ||
	    strcmp(mf_json_str(manifest, "format")
	               ? mf_json_str(manifest, "format")
	               : "",
	           MF_BACKUP_FORMAT) != 0) {
		fprintf(stderr, "modelfacts: %s is not a %s manifest\n", path,
		        MF_BACKUP_FORMAT);
		goto refused;
	}
	if (check_files(json_object_get(manifest, "files"), dir) != 0 ||
	    open_secrets(s, manifest, dir, &key) != 0)
		goto refused;
	/* 3. The targets are empty. */
	rc = MF_EXIT_USAGE;
	if (mf_db_global_init(url) != 0 || check_targets(s, state, git) != 0)
		goto done;
	/* 4. The database (all or nothing), the repository, the keys. */
	const char *restore[] = {"pg_restore",
	                         "--exit-on-error",
	                         "--single-transaction",
	                         "--no-owner",
	                         "--dbname",
	                         url,
	                         path,
	                         NULL};
	snprintf(path, sizeof(path), "%s/%s", dir, MF_BACKUP_DUMP);
	if (mf_backup_run(restore, NULL) != 0) {
		fprintf(stderr, "modelfacts: pg_restore failed; the database "
		                "is unchanged\n");
		goto done;
	}
	if (restore_repository(manifest, dir, git) != 0) {
		fprintf(stderr,
		        "modelfacts: the repository could not be "
		        "restored into %s (the database is restored)\n",
		        git);
		goto done;
	}
	if (write_secrets(s, state) != 0) {
		fprintf(stderr,
		        "modelfacts: cannot write the keys into %s: "
		        "%s\n",
		        state, strerror(errno));
		goto done;
	}
	/* 5. The log as the manifest describes it. */
	if (check_restored_log(manifest) != 0) {
		rc = MF_EXIT_FAIL;
		goto done;
	}
	printf("restored %s from %s: log size %" PRId64
	       ", git head %s; start modelfactsd with --origin %s\n",
	       mf_json_str(manifest, "origin"), dir,
	       (int64_t)json_integer_value(
	           json_object_get(json_object_get(manifest, "log"), "size")),
	       json_is_object(json_object_get(manifest, "git"))
	           ? mf_json_str(json_object_get(manifest, "git"), "head")
	           : "(none)",
	       mf_json_str(manifest, "origin"));
	rc = MF_EXIT_OK;
	goto done;
refused:
	fprintf(stderr,
	        "modelfacts: refusing to restore %s: nothing was "
	        "changed\n",
	        dir);
done:
	mf_db_drop();
	for (i = 0; i < N_SECRETS; i++) {
		if (s[i].data != NULL)
			OPENSSL_cleanse(s[i].data, s[i].len);
		free(s[i].data);
	}
	if (pass != NULL)
		OPENSSL_cleanse(pass, pass_len);
	free(pass);
	EVP_PKEY_free(key.x25519);
	free(text);
	json_decref(manifest);
	mf_error_dispose(&err);
	return rc;
}
