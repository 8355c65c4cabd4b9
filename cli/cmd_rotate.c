/*
 * modelfacts admin rotate-commit-key / rotate-log-key: replacing the
 * registry's signing keys without breaking what they signed. Both run on
 * the server's machine against its database and state directory while no
 * server sequences or publishes (they take the same leader leases, and
 * refuse while a server holds one); the next start uses the new keys.
 *
 * The commit key is replaced at once: the old one retires with a validity
 * window, which /v1/registry/allowed_signers writes as valid-before (and
 * the new key's valid-after), so `git verify-commit` checks every commit
 * against the key of its time. The log key is replaced in two steps:
 * --begin adds a new key that co-signs every checkpoint beside the old
 * one (log.key holds both lines: merkle/note.h), --finish makes it the
 * only one. Clients that pinned the old key verify the overlap's
 * checkpoints and can move their pin to the new key there.
 */
#include "app/registry_keys.h"
#include "cli/backup.h"
#include "cli/commands.h"
#include "cli/util.h"
#include "common/error.h"
#include "common/file.h"
#include "db/db.h"
#include "db/publish.h"
#include "db/registry.h"
#include "db/tlog.h"
#include "envelope/keys.h"
#include "merkle/note.h"

#include <openssl/crypto.h>

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PATH_MAX_LEN 4096

/*
 * The leader leases (migrations/0011_lease.sql) the sequencer and the git
 * publisher hold while they run: holding both ourselves proves no server
 * signs anything during the rotation. Held for ROTATE_LEASE_MS at most,
 * given back when the command exits.
 */
#define ROTATE_LEASE_MS 120000u
static int64_t seq_token, pub_token;

static void
release_leases(void)
{
	struct mf_error err = {0};

	if (seq_token != 0)
		(void)mf_db_lease_release("sequencer", seq_token, &err);
	if (pub_token != 0)
		(void)mf_db_lease_release("publisher", pub_token, &err);
	seq_token = pub_token = 0;
}

static void
usage(FILE *out, int log)
{
	if (log)
		fprintf(
		    out,
		    "usage: modelfacts admin rotate-log-key (--begin | "
		    "--finish)\n"
		    "                  [--database-url CONNINFO] "
		    "[--state-dir DIR]\n\n"
		    "Rotates the log key (log.key) in two steps, with no "
		    "server running:\n"
		    "  --begin    makes a new key that co-signs every "
		    "checkpoint beside the\n"
		    "             current one (log.key holds both; "
		    "/v1/registry lists both\n"
		    "             in log_public_keys)\n"
		    "  --finish   makes the new key the only one; the old "
		    "one is retired\n"
		    "             (kept as log.key.retired-TIME)\n"
		    "  --database-url CONNINFO  the registry's database "
		    "(else $DATABASE_URL,\n"
		    "                           else "
		    "$MODELFACTS_DATABASE_URL)\n"
		    "  --state-dir DIR          the server's state "
		    "directory (else\n"
		    "                           $MODELFACTS_STATE_DIR, "
		    "else var)\n\n"
		    "Exit 0 done, 2 usage, a server is running, or I/O "
		    "error.\n\n"
		    "examples:\n"
		    "  modelfacts admin rotate-log-key --begin --state-dir "
		    "/srv/modelfacts/var\n"
		    "  modelfacts admin rotate-log-key --finish --state-dir "
		    "/srv/modelfacts/var\n");
	else
		fprintf(
		    out,
		    "usage: modelfacts admin rotate-commit-key "
		    "[--database-url CONNINFO]\n"
		    "                  [--state-dir DIR]\n\n"
		    "Replaces the key that signs git commits (commit.key), "
		    "with no server\nrunning. The old key is retired with "
		    "its validity window (kept as\ncommit.key.retired-TIME); "
		    "/v1/registry/allowed_signers lists it with\n"
		    "valid-before and the new key with valid-after, so old "
		    "and new commits\nverify with git verify-commit.\n\n"
		    "  --database-url CONNINFO  the registry's database "
		    "(else $DATABASE_URL,\n"
		    "                           else "
		    "$MODELFACTS_DATABASE_URL)\n"
		    "  --state-dir DIR          the server's state "
		    "directory (else\n"
		    "                           $MODELFACTS_STATE_DIR, "
		    "else var)\n\n"
		    "Exit 0 done, 2 usage, a server is running, or I/O "
		    "error.\n\n"
		    "examples:\n"
		    "  modelfacts admin rotate-commit-key --state-dir "
		    "/srv/modelfacts/var\n");
}

/* Connects and takes both leases; -1 (said why) when a server holds one. */
static int
lock_out_servers(const char *url, struct mf_error *err)
{
	if (mf_db_global_init(url) != 0 || mf_db_connect(err) != 0 ||
	    mf_db_lease_acquire(&seq_token, "sequencer", "admin-rotate",
	                        ROTATE_LEASE_MS, false, err) != 0 ||
	    mf_db_lease_acquire(&pub_token, "publisher", "admin-rotate",
	                        ROTATE_LEASE_MS, false, err) != 0) {
		fprintf(stderr, "modelfacts: database: %s\n", err->message);
		release_leases();
		return -1;
	}
	if (seq_token == 0 || pub_token == 0) {
		release_leases();
		fprintf(stderr, "modelfacts: a server is sequencing or "
		                "publishing on this database: stop it first\n");
		return -1;
	}
	atexit(release_leases);
	return 0;
}

/* STATE/name.retired-YYYYMMDDTHHMMSSZ */
static void
retired_path(char *out, size_t n, const char *state, const char *name)
{
	char ts[32];
	time_t now = time(NULL);

	strftime(ts, sizeof(ts), "%Y%m%dT%H%M%SZ", gmtime(&now));
	snprintf(out, n, "%s/%s.retired-%s", state, name, ts);
}

/* "ssh-ed25519 AAAA" without the comment, to compare two lines. */
static size_t
ssh_key_part(const char *line)
{
	const char *sp = strchr(line, ' ');

	sp = sp ? strchr(sp + 1, ' ') : NULL;
	return sp ? (size_t)(sp - line) : strlen(line);
}

static int
rotate_commit(const char *url, const char *state)
{
	struct mf_db_registry_info info;
	struct mf_key *old = NULL, *fresh = NULL;
	struct mf_error err;
	char path[PATH_MAX_LEN], tmp[PATH_MAX_LEN], ret[PATH_MAX_LEN];
	char *old_pub = NULL, *new_pub = NULL, *pem = NULL;
	bool done = false;
	int rc = MF_EXIT_USAGE;

	memset(&info, 0, sizeof(info));
	mf_error_init(&err);
	/* 1. No server running; the key file is the one on record. */
	snprintf(path, sizeof(path), "%s/commit.key", state);
	snprintf(tmp, sizeof(tmp), "%s/commit.key.new", state);
	if (lock_out_servers(url, &err) != 0)
		goto done;
	if (mf_db_registry_info(&info, &err) != 0 ||
	    mf_key_load_private_file(&old, path, NULL, &err) != 0 ||
	    mf_key_ssh_public(old, MF_REGISTRY_PRINCIPAL, &old_pub) != 0) {
		fprintf(stderr, "modelfacts: %s\n", err.message);
		goto done;
	}
	if (info.commit_public_key == NULL ||
	    ssh_key_part(info.commit_public_key) != ssh_key_part(old_pub) ||
	    strncmp(info.commit_public_key, old_pub, ssh_key_part(old_pub)) !=
	        0) {
		fprintf(stderr,
		        "modelfacts: %s is not the commit key on "
		        "record\n",
		        path);
		goto done;
	}
	/* 2. The new key written aside, then recorded, then moved in. */
	if (mf_key_generate(&fresh, MF_KEY_ED25519, &err) != 0 ||
	    mf_key_private_pem(fresh, &pem) != 0 ||
	    mf_key_ssh_public(fresh, MF_REGISTRY_PRINCIPAL, &new_pub) != 0 ||
	    mf_key_write_secret_file(tmp, pem, &err) != 0) {
		fprintf(stderr, "modelfacts: cannot make the new key: %s\n",
		        err.message);
		goto done;
	}
	if (mf_db_rotate_commit_key(info.commit_public_key, new_pub, &done,
	                            &err) != 0 ||
	    !done) {
		fprintf(stderr,
		        "modelfacts: the database did not take the "
		        "new key: %s\n",
		        err.message[0] ? err.message
		                       : "the key on record moved");
		unlink(tmp);
		goto done;
	}
	retired_path(ret, sizeof(ret), state, "commit.key");
	if (rename(path, ret) != 0 || rename(tmp, path) != 0) {
		fprintf(stderr,
		        "modelfacts: the database records the new key but "
		        "%s could not be moved to %s: move it by hand\n",
		        tmp, path);
		goto done;
	}
	printf("commit key rotated: %.*s retired (%s), now %.*s\n",
	       (int)ssh_key_part(old_pub), old_pub, ret,
	       (int)ssh_key_part(new_pub), new_pub);
	rc = MF_EXIT_OK;
done:
	mf_db_drop();
	mf_key_free(old);
	mf_key_free(fresh);
	if (pem != NULL)
		OPENSSL_cleanse(pem, strlen(pem));
	free(pem);
	free(old_pub);
	free(new_pub);
	mf_db_registry_info_dispose(&info);
	mf_error_dispose(&err);
	return rc;
}

/* The verifier key of each line of a log.key text (at most two). */
static int
log_key_lines(const char *text, char **first, char **second,
              struct mf_error *err)
{
	struct mf_note_signer *s = NULL;
	const struct mf_note_signer *n;
	int rc;

	*first = *second = NULL;
	if ((rc = mf_note_signer_new(&s, text, err)) != 0)
		return rc;
	rc = mf_note_signer_verifier_key(s, first);
	n = mf_note_signer_next(s);
	if (rc == 0 && n != NULL) {
		if (mf_note_signer_next(n) != NULL)
			rc = mf_error_set(err, MF_E_BAD_KEY, NULL,
			                  "more than two keys");
		else
			rc = mf_note_signer_verifier_key(n, second);
	}
	mf_note_signer_free(s);
	return rc;
}

static int
rotate_log(const char *url, const char *state, int begin)
{
	struct mf_db_registry_info info;
	struct mf_error err;
	char path[PATH_MAX_LEN], tmp[PATH_MAX_LEN], ret[PATH_MAX_LEN];
	char *text = NULL, *cur = NULL, *next = NULL, *sk = NULL, *vk = NULL;
	struct mf_buf out = MF_BUF_INIT;
	const char *nl;
	size_t len = 0;
	bool done = false;
	int rc = MF_EXIT_USAGE;

	memset(&info, 0, sizeof(info));
	mf_error_init(&err);
	/* 1. No server running; the file's first key is the one on record. */
	snprintf(path, sizeof(path), "%s/log.key", state);
	snprintf(tmp, sizeof(tmp), "%s/log.key.new", state);
	if (lock_out_servers(url, &err) != 0)
		goto done;
	if (mf_db_registry_info(&info, &err) != 0 ||
	    mf_file_read(&text, &len, path, 8192, &err) != 0 ||
	    log_key_lines(text, &cur, &next, &err) != 0) {
		fprintf(stderr, "modelfacts: %s\n", err.message);
		goto done;
	}
	if (info.log_verifier_key == NULL ||
	    strcmp(info.log_verifier_key, cur) != 0) {
		fprintf(stderr, "modelfacts: %s is not the log key on record\n",
		        path);
		goto done;
	}
	if (begin ? next != NULL : next == NULL) {
		fprintf(stderr, "modelfacts: %s\n",
		        begin
		            ? "a log key rotation is under way already: "
		              "--finish it"
		            : "no log key rotation is under way: --begin one");
		goto done;
	}
	/* 2. The new log.key written aside: both keys, or the new alone. */
	if (begin) {
		if (mf_note_generate_key(&sk, &vk, info.origin, &err) != 0)
			goto failed;
		while (len > 0 &&
		       (text[len - 1] == '\n' || text[len - 1] == '\r'))
			text[--len] = '\0';
		mf_buf_printf(&out, "%s\n%s\n", text, sk);
	} else {
		nl = strchr(text, '\n');
		mf_buf_printf(&out, "%s", nl ? nl + 1 : "");
	}
	if (out.data == NULL ||
	    mf_key_write_secret_file(tmp, out.data, &err) != 0)
		goto failed;
	/* 3. Recorded, then moved in. */
	if (begin)
		rc = mf_db_rotate_log_begin(cur, vk, &done, &err);
	else
		rc = mf_db_rotate_log_finish(cur, next, &done, &err);
	if (rc != 0 || !done) {
		rc = MF_EXIT_USAGE;
		fprintf(stderr,
		        "modelfacts: the database did not take it: %s\n",
		        err.message[0] ? err.message
		                       : "the next key on record is not the "
		                         "second line of log.key");
		unlink(tmp);
		goto done;
	}
	rc = MF_EXIT_USAGE;
	retired_path(ret, sizeof(ret), state, "log.key");
	if ((!begin && rename(path, ret) != 0) || rename(tmp, path) != 0) {
		fprintf(stderr,
		        "modelfacts: the database records the change but %s "
		        "could not be moved to %s: move it by hand\n",
		        tmp, path);
		goto done;
	}
	if (begin)
		printf("log key rotation begun: checkpoints are signed by %s "
		       "and %s\n",
		       cur, vk);
	else
		printf("log key rotation finished: checkpoints are signed by "
		       "%s alone; %s retired (%s)\n",
		       next, cur, ret);
	rc = MF_EXIT_OK;
	goto done;
failed:
	fprintf(stderr, "modelfacts: %s\n", err.message);
done:
	mf_db_drop();
	if (text != NULL)
		OPENSSL_cleanse(text, len);
	if (sk != NULL)
		OPENSSL_cleanse(sk, strlen(sk));
	if (out.data != NULL)
		OPENSSL_cleanse(out.data, out.len);
	free(text);
	free(sk);
	free(vk);
	free(cur);
	free(next);
	mf_buf_dispose(&out);
	mf_db_registry_info_dispose(&info);
	mf_error_dispose(&err);
	return rc;
}

/* argv[0] "rotate-commit-key" or "rotate-log-key". */
int
mf_cli_admin_rotate(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"database-url", required_argument, NULL, 'd'},
	    {"state-dir", required_argument, NULL, 's'},
	    {"begin", no_argument, NULL, 'b'},
	    {"finish", no_argument, NULL, 'f'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int log = strcmp(argv[0], "rotate-log-key") == 0, c, begin = 0,
	    finish = 0;
	const char *url = NULL, *state = NULL;

	optind = 1;
	while ((c = getopt_long(argc, argv, "d:s:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			url = optarg;
			break;
		case 's':
			state = optarg;
			break;
		case 'b':
			begin = 1;
			break;
		case 'f':
			finish = 1;
			break;
		case 'h':
			usage(stdout, log);
			return MF_EXIT_OK;
		default:
			usage(stderr, log);
			return MF_EXIT_USAGE;
		}
	}
	if (optind != argc || (log && begin + finish != 1) ||
	    (!log && begin + finish != 0)) {
		usage(stderr, log);
		return MF_EXIT_USAGE;
	}
	if (mf_backup_places(&url, &state, NULL, NULL, 0) != 0)
		return MF_EXIT_USAGE;
	return log ? rotate_log(url, state, begin) : rotate_commit(url, state);
}
