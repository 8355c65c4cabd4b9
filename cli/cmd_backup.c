/*
 * modelfacts admin backup DIR: everything a registry needs to come back
 * on another machine, taken while it runs: a git bundle of the published
 * repository, a pg_dump (custom format) of the database, the state
 * directory's key files and admin token sealed to a passphrase
 * (cli/backup.h), and manifest.json (sizes, SHA-256s, the origin, the
 * log's size and root) whose own digest is sealed too. README.md,
 * "### Backups", says why the bundle is taken before the dump's snapshot.
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

#include <openssl/crypto.h>

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define PATH_MAX_LEN 4096

static void
usage(FILE *out)
{
	fprintf(out,
	        "usage: modelfacts admin backup DIR (--passphrase-file FILE | "
	        "--recipient PUB)\n"
	        "                  [--database-url CONNINFO] [--state-dir DIR] "
	        "[--git-dir DIR]\n\n"
	        "Backs up a running registry into DIR (new, or empty): "
	        "labels.bundle (a git\nbundle of every ref of the published "
	        "repository), database.dump (pg_dump,\ncustom format, of one "
	        "snapshot), the state directory's log.key, commit.key and\n"
	        "admin.token sealed to the passphrase (NAME.sealed: scrypt + "
	        "AES-256-GCM),\nand manifest.json (every file's size and "
	        "SHA-256, the origin, the log's\nsize, root and checkpoint in "
	        "the dump's snapshot); manifest.sha256.sealed\nseals the "
	        "manifest's digest. `modelfacts admin restore` reads it "
	        "back.\n\n"
	        "  --passphrase-file FILE  the passphrase (its first line, at "
	        "least 8 bytes)\n"
	        "  --recipient PUB         or seal to this X25519 public key "
	        "(PEM; restore\n"
	        "                          then needs its private key)\n"
	        "  --database-url CONNINFO the registry's database (else "
	        "$DATABASE_URL, else\n"
	        "                          $MODELFACTS_DATABASE_URL)\n"
	        "  --state-dir DIR         the server's state directory (else "
	        "$MODELFACTS_STATE_DIR,\n"
	        "                          else var)\n"
	        "  --git-dir DIR           the published repository (else "
	        "$MODELFACTS_GIT_DIR,\n"
	        "                          else STATE-DIR/labels.git)\n\n"
	        "Needs pg_dump and git on PATH. Exit 0 backed up, 2 usage or "
	        "I/O error.\n\n"
	        "examples:\n"
	        "  modelfacts admin backup /backups/2026-12-03 "
	        "--passphrase-file ~/.mf-backup-pass \\\n"
	        "      --database-url postgresql:///modelfacts --state-dir "
	        "/srv/modelfacts/var\n"
	        "  modelfacts admin backup /backups/today --recipient "
	        "ops-x25519.pub\n");
}

/* Whether dir is new (created now, 0700) or an empty directory. */
static int
make_empty_dir(const char *dir)
{
	struct dirent *e;
	DIR *d;
	int n = 0;

	if (mkdir(dir, 0700) == 0)
		return 0;
	if (errno != EEXIST || (d = opendir(dir)) == NULL) {
		fprintf(stderr, "modelfacts: cannot create %s: %s\n", dir,
		        strerror(errno));
		return -1;
	}
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	if (n > 0) {
		fprintf(stderr, "modelfacts: %s is not empty\n", dir);
		return -1;
	}
	return 0;
}

/* Adds {name, size, sha256} of DIR/name to files. */
static int
add_file(json_t *files, const char *dir, const char *name)
{
	char path[PATH_MAX_LEN], hex[65];
	uint64_t size;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (mf_backup_file_sha256(path, hex, &size) != 0) {
		fprintf(stderr, "modelfacts: cannot read %s: %s\n", path,
		        strerror(errno));
		return -1;
	}
	return json_array_append_new(
	    files, json_pack("{s:s, s:I, s:s}", "name", name, "size",
	                     (json_int_t)size, "sha256", hex));
}

/* Trailing white space off a captured output. */
static char *
trimmed(struct mf_buf *b)
{
	if (b->data == NULL)
		return (char *)"";
	while (b->len > 0 && strchr(" \t\r\n", b->data[b->len - 1]) != NULL)
		b->data[--b->len] = '\0';
	return b->data;
}

/*
 * The published repository as a bundle, taken first: its head is then at
 * or behind the log the dump holds, and a restored publisher carries on
 * from it. Fills git (head, its Log-Index, HEAD's branch) in the manifest;
 * a repository without commits yet gives no bundle (git: null).
 */
static int
bundle_repository(json_t *manifest, json_t *files, const char *git_dir,
                  const char *dir)
{
	struct mf_buf head = MF_BUF_INIT, branch = MF_BUF_INIT,
	              idx = MF_BUF_INIT;
	char bundle[PATH_MAX_LEN], fmt[] = "--format=%(trailers:key=Log-Index,"
	                                   "valueonly,separator=)";
	int rc = -1;

	/* 1. The head now; none yet: nothing to bundle. */
	const char *rev[] = {
	    "git",      "--git-dir", git_dir,           "rev-parse",
	    "--verify", "-q",        "refs/heads/main", NULL};
	if (mf_backup_run(rev, &head) != 0) {
		if (access(git_dir, F_OK) != 0)
			fprintf(stderr,
			        "modelfacts: warning: no repository at %s: "
			        "the backup holds none\n",
			        git_dir);
		json_object_set_new(manifest, "git", json_null());
		rc = 0;
		goto done;
	}
	/* 2. Every ref and the objects they reach, then the bundle's main. */
	snprintf(bundle, sizeof(bundle), "%s/%s", dir, MF_BACKUP_BUNDLE);
	const char *mk[] = {"git", "--git-dir", git_dir, "bundle", "create",
	                    "-q",  bundle,      "--all", NULL};
	const char *heads[] = {"git",  "bundle",          "list-heads",
	                       bundle, "refs/heads/main", NULL};
	mf_buf_clear(&head);
	if (mf_backup_run(mk, NULL) != 0 || mf_backup_run(heads, &head) != 0 ||
	    head.len < 40) {
		fprintf(stderr, "modelfacts: git bundle of %s failed\n",
		        git_dir);
		goto done;
	}
	head.data[40] = '\0';
	const char *li[] = {"git", "--git-dir", git_dir,   "log",
	                    "-1",  fmt,         head.data, NULL};
	const char *sym[] = {"git", "--git-dir", git_dir, "symbolic-ref",
	                     "-q",  "HEAD",      NULL};
	if (mf_backup_run(li, &idx) != 0 || mf_backup_run(sym, &branch) != 0)
		goto done;
	if (json_object_set_new(
	        manifest, "git",
	        json_pack("{s:s, s:I, s:s}", "head", head.data, "log_index",
	                  (json_int_t)strtoll(trimmed(&idx), NULL, 10), "HEAD",
	                  trimmed(&branch))) != 0 ||
	    add_file(files, dir, MF_BACKUP_BUNDLE) != 0)
		goto done;
	rc = 0;
done:
	mf_buf_dispose(&head);
	mf_buf_dispose(&branch);
	mf_buf_dispose(&idx);
	return rc;
}

/*
 * The database: pg_dump of a snapshot exported by a REPEATABLE READ
 * transaction of ours, which reads the log's latest checkpoint and the
 * registry's identity in the same snapshot, so the manifest describes
 * exactly what the dump holds.
 */
static int
dump_database(json_t *manifest, json_t *files, const char *url, const char *dir)
{
	struct mf_db_registry_info info;
	struct mf_db_checkpoint cp;
	struct mf_error err;
	char dump[PATH_MAX_LEN], snaparg[256], *snap = NULL, *root = NULL;
	int rc = -1;

	memset(&info, 0, sizeof(info));
	memset(&cp, 0, sizeof(cp));
	mf_error_init(&err);
	/* 1. One snapshot: exported, then read by us. */
	if (mf_db_global_init(url) != 0 || mf_db_connect(&err) != 0 ||
	    mf_db_command("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY",
	                  &err) != 0 ||
	    mf_db_export_snapshot(&snap, &err) != 0 ||
	    mf_db_log_checkpoint_latest(&cp, &err) != 0 ||
	    mf_db_registry_info(&info, &err) != 0) {
		fprintf(stderr, "modelfacts: database: %s\n", err.message);
		goto done;
	}
	/* 2. pg_dump of the same snapshot, while our transaction holds it. */
	snprintf(dump, sizeof(dump), "%s/%s", dir, MF_BACKUP_DUMP);
	snprintf(snaparg, sizeof(snaparg), "--snapshot=%s", snap);
	const char *argv[] = {"pg_dump", "--format=custom", snaparg, "--file",
	                      dump,      "--dbname",        url,     NULL};
	if (mf_backup_run(argv, NULL) != 0) {
		fprintf(stderr, "modelfacts: pg_dump failed\n");
		goto done;
	}
	mf_db_rollback();
	/* 3. What the manifest says about it. */
	root = mf_base64_encode_alloc(cp.root, sizeof(cp.root));
	if (root == NULL || add_file(files, dir, MF_BACKUP_DUMP) != 0)
		goto done;
	json_object_set_new(manifest, "origin", json_string(info.origin));
	json_object_set_new(manifest, "log",
	                    json_pack("{s:I, s:s, s:s?, s:s?}", "size",
	                              (json_int_t)cp.size, "root", root,
	                              "checkpoint", cp.note, "verifier_key",
	                              info.log_verifier_key));
	json_object_set_new(manifest, "commit_public_key",
	                    info.commit_public_key
	                        ? json_string(info.commit_public_key)
	                        : json_null());
	rc = 0;
done:
	mf_db_rollback();
	mf_db_drop();
	free(snap);
	free(root);
	free(cp.note);
	mf_db_registry_info_dispose(&info);
	mf_error_dispose(&err);
	return rc;
}

/* Seals each secret file the state directory holds into DIR. */
static int
seal_secrets(json_t *manifest, json_t *files, const char *state,
             const char *dir, const struct mf_seal_key *key)
{
	struct mf_buf sealed = MF_BUF_INIT;
	struct mf_error err;
	json_t *names = json_array();
	char path[PATH_MAX_LEN], name[256], *data = NULL;
	size_t i, len = 0;
	int rc = -1;

	mf_error_init(&err);
	for (i = 0; mf_backup_secret_files[i] != NULL; i++) {
		/* 1. Read (absent: said, and left out). */
		snprintf(path, sizeof(path), "%s/%s", state,
		         mf_backup_secret_files[i]);
		if (access(path, F_OK) != 0) {
			fprintf(stderr,
			        "modelfacts: warning: no %s: not in the "
			        "backup\n",
			        path);
			continue;
		}
		if (mf_file_read(&data, &len, path, 65536, &err) != 0) {
			fprintf(stderr, "modelfacts: %s\n", err.message);
			goto done;
		}
		/* 2. Sealed under its own name, written 0600. */
		snprintf(name, sizeof(name), "%s.sealed",
		         mf_backup_secret_files[i]);
		snprintf(path, sizeof(path), "%s/%s", dir, name);
		mf_buf_clear(&sealed);
		if (mf_seal(&sealed, mf_backup_secret_files[i],
		            (const uint8_t *)data, len, key) != 0 ||
		    mf_backup_write_file(path, sealed.data, sealed.len) != 0 ||
		    add_file(files, dir, name) != 0) {
			fprintf(stderr, "modelfacts: cannot seal %s\n", path);
			goto done;
		}
		json_array_append_new(names,
		                      json_string(mf_backup_secret_files[i]));
		OPENSSL_cleanse(data, len);
		free(data);
		data = NULL;
	}
	json_object_set_new(manifest, "secrets", names);
	names = NULL;
	rc = 0;
done:
	if (data != NULL)
		OPENSSL_cleanse(data, len);
	free(data);
	json_decref(names);
	mf_buf_dispose(&sealed);
	mf_error_dispose(&err);
	return rc;
}

/* manifest.json, and its digest sealed beside it. */
static int
write_manifest(json_t *manifest, const char *dir, const struct mf_seal_key *key)
{
	struct mf_buf sealed = MF_BUF_INIT;
	char path[PATH_MAX_LEN], hex[65], *text;
	uint64_t size;
	int rc = -1;

	text = json_dumps(manifest, JSON_INDENT(2) | JSON_SORT_KEYS);
	snprintf(path, sizeof(path), "%s/%s", dir, MF_BACKUP_MANIFEST);
	if (text == NULL ||
	    mf_backup_write_file(path, text, strlen(text)) != 0 ||
	    mf_backup_file_sha256(path, hex, &size) != 0 ||
	    mf_seal(&sealed, MF_BACKUP_MANIFEST, (const uint8_t *)hex, 64,
	            key) != 0)
		goto done;
	snprintf(path, sizeof(path), "%s/%s", dir, MF_BACKUP_MANIFEST_SEAL);
	if (mf_backup_write_file(path, sealed.data, sealed.len) != 0)
		goto done;
	rc = 0;
done:
	if (rc != 0)
		fprintf(stderr, "modelfacts: cannot write %s\n", path);
	free(text);
	mf_buf_dispose(&sealed);
	return rc;
}

int
mf_cli_admin_backup(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"passphrase-file", required_argument, NULL, 'p'},
	    {"recipient", required_argument, NULL, 'r'},
	    {"database-url", required_argument, NULL, 'd'},
	    {"state-dir", required_argument, NULL, 's'},
	    {"git-dir", required_argument, NULL, 'g'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *passfile = NULL, *url = NULL, *state = NULL, *git = NULL,
	           *recipient = NULL;
	struct mf_seal_key key = {NULL, 0, NULL};
	char git_buf[PATH_MAX_LEN], created[32], *pass = NULL;
	json_t *manifest = NULL, *files = NULL;
	size_t pass_len = 0;
	time_t now;
	int c, rc = MF_EXIT_USAGE;

	/* 1. Flags, environment, defaults. */
	optind = 1;
	while ((c = getopt_long(argc, argv, "p:r:d:s:g:h", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			passfile = optarg;
			break;
		case 'r':
			recipient = optarg;
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
	if ((passfile == NULL) == (recipient == NULL) || optind != argc - 1) {
		usage(stderr);
		return MF_EXIT_USAGE;
	}
	if (mf_backup_places(&url, &state, &git, git_buf, sizeof(git_buf)) != 0)
		return MF_EXIT_USAGE;
	if (passfile != NULL &&
	    (pass = mf_backup_passphrase(passfile, &pass_len)) == NULL)
		goto done;
	if (recipient != NULL &&
	    (key.x25519 = mf_backup_x25519(recipient, 0)) == NULL)
		goto done;
	key.pass = pass;
	key.pass_len = pass_len;
	/* 2. The directory, then git before the database (see above). */
	if (make_empty_dir(argv[optind]) != 0)
		goto done;
	now = time(NULL);
	strftime(created, sizeof(created), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	manifest = json_pack("{s:s, s:s}", "format", MF_BACKUP_FORMAT,
	                     "created", created);
	files = json_array();
	if (manifest == NULL || files == NULL ||
	    bundle_repository(manifest, files, git, argv[optind]) != 0 ||
	    dump_database(manifest, files, url, argv[optind]) != 0)
		goto done;
	/* 3. The secrets, sealed; then the manifest. */
	if (seal_secrets(manifest, files, state, argv[optind], &key) != 0)
		goto done;
	json_object_set(manifest, "files", files);
	if (write_manifest(manifest, argv[optind], &key) != 0)
		goto done;
	printf("backed up %s to %s: log size %" PRId64 ", git head %s\n",
	       mf_json_str(manifest, "origin"), argv[optind],
	       (int64_t)json_integer_value(
	           json_object_get(json_object_get(manifest, "log"), "size")),
	       json_is_object(json_object_get(manifest, "git"))
	           ? mf_json_str(json_object_get(manifest, "git"), "head")
	           : "(none yet)");
	rc = MF_EXIT_OK;
done:
	if (pass != NULL)
		OPENSSL_cleanse(pass, pass_len);
	free(pass);
	EVP_PKEY_free(key.x25519);
	json_decref(files);
	json_decref(manifest);
	return rc;
}
