/* Loading and creating the registry's signing keys (see registry_keys.h). */
#include "app/registry_keys.h"
#include "common/diag.h"
#include "common/file.h"
#include "common/json.h"
#include "app/config.h"
#include "db/registry.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* A key file: at most max bytes, trailing newlines dropped (new). */
static char *
read_key_file(const char *path, size_t max)
{
	struct mf_error err;
	char *buf = NULL;
	size_t n = 0;

	mf_error_init(&err);
	if (mf_file_read(&buf, &n, path, max, &err) != 0) {
		mf_error_dispose(&err);
		return NULL;
	}
	mf_error_dispose(&err);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	return buf;
}

static int
exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* The public keys the database has on record (NULL when not yet). */
static int
recorded_keys(char **log_vkey, char **commit_pub, struct mf_error *err)
{
	struct mf_db_registry_info info;
	int rc;

	*log_vkey = *commit_pub = NULL;
	if ((rc = mf_db_registry_info(&info, err)) == 0) {
		*log_vkey = info.log_verifier_key;
		*commit_pub = info.commit_public_key;
		info.log_verifier_key = info.commit_public_key = NULL;
	}
	mf_db_registry_info_dispose(&info);
	return rc;
}

/*
 * A log key file of several lines (a rotation's overlap: `modelfacts
 * admin rotate-log-key`): every key after the first must be the one the
 * database records as the next log key, so no key co-signs unannounced.
 */
static int
check_cosigners(const struct mf_note_signer *s, const char *path,
                struct mf_error *err)
{
	const struct mf_note_signer *c;
	json_t *hist = NULL, *row;
	char *text = NULL, *vkey = NULL;
	size_t i;
	int rc = 0, found;

	if (mf_note_signer_next(s) == NULL)
		return 0;
	if ((rc = mf_db_registry_key_history(&text, err)) != 0)
		return rc;
	hist = json_loads(text, 0, NULL);
	for (c = mf_note_signer_next(s); c != NULL && rc == 0;
	     c = mf_note_signer_next(c)) {
		free(vkey);
		vkey = NULL;
		if (mf_note_signer_verifier_key(c, &vkey) != 0) {
			rc = mf_error_set(err, MF_E_NOMEM, NULL,
			                  "out of memory");
			break;
		}
		found = 0;
		json_array_foreach(hist, i, row) found |=
		    strcmp(mf_json_str(row, "kind"), "log") == 0 &&
		    strcmp(mf_json_str(row, "status"), "next") == 0 &&
		    strcmp(mf_json_str(row, "public_key"), vkey) == 0;
		if (!found)
			rc =
			    mf_error_set(err, MF_E_BAD_KEY, NULL,
			                 "%s co-signs with %s, which the "
			                 "database does not record as the next "
			                 "log key",
			                 path, vkey);
	}
	free(vkey);
	free(text);
	json_decref(hist);
	return rc;
}

static int
load_log_key(struct mf_registry_keys *k, const struct mf_config *cfg,
             const char *path, const char *recorded, struct mf_error *err)
{
	char *skey = NULL, *vkey = NULL;
	int rc;

	if (!exists(path)) {
		if (recorded != NULL) {
			mf_diag_warn(
			    "no %s: this process will not sequence the "
			    "log (copy the key from the server that "
			    "created it to let it)",
			    path);
			return 0;
		}
		if ((rc = mf_note_generate_key(&skey, &vkey, cfg->origin,
		                               err)) != 0)
			return rc;
		free(vkey);
		vkey = NULL;
		rc = mf_key_write_secret_file(path, skey, err);
		free(skey);
		if (rc != 0)
			return rc;
		mf_diag_info("created the log signing key %s (mode 0600)",
		             path);
	}
	if ((skey = read_key_file(path, 4096)) == NULL)
		return mf_error_set(err, MF_E_IO, NULL, "cannot read %s", path);
	rc = mf_note_signer_new(&k->log_signer, skey, err);
	free(skey);
	if (rc != 0)
		return rc;
	if ((rc = mf_note_signer_verifier_key(k->log_signer,
	                                      &k->log_verifier_key)) != 0)
		return mf_error_set(err, rc, NULL, "cannot derive log key");
	return check_cosigners(k->log_signer, path, err);
}

static int
load_commit_key(struct mf_registry_keys *k, const char *path,
                const char *recorded, struct mf_error *err)
{
	struct mf_key *key = NULL;
	char *pem = NULL;
	int rc;

	if (!exists(path)) {
		if (recorded != NULL) {
			mf_diag_warn("no %s: this process will not publish to "
			             "git",
			             path);
			return 0;
		}
		if ((rc = mf_key_generate(&key, MF_KEY_ED25519, err)) != 0)
			return rc;
		rc = mf_key_private_pem(key, &pem);
		mf_key_free(key);
		if (rc != 0)
			return mf_error_set(err, rc, NULL, "cannot encode key");
		rc = mf_key_write_secret_file(path, pem, err);
		free(pem);
		if (rc != 0)
			return rc;
		mf_diag_info("created the commit signing key %s (mode 0600)",
		             path);
	}
	if ((rc = mf_key_load_private_file(&k->commit_key, path, NULL, err)))
		return rc;
	if (mf_key_alg(k->commit_key) != MF_KEY_ED25519 &&
	    mf_key_alg(k->commit_key) != MF_KEY_SSH_ED25519)
		return mf_error_set(err, MF_E_BAD_KEY, NULL,
		                    "%s must be an Ed25519 key", path);
	if ((rc = mf_key_ssh_public(k->commit_key, MF_REGISTRY_PRINCIPAL,
	                            &k->commit_public)) != 0)
		return mf_error_set(err, rc, NULL, "cannot encode key");
	return 0;
}

/* "ssh-ed25519 AAAA" without the comment, to compare two lines. */
static size_t
ssh_key_part(const char *line)
{
	const char *sp = strchr(line, ' ');

	sp = sp ? strchr(sp + 1, ' ') : NULL;
	return sp ? (size_t)(sp - line) : strlen(line);
}

int
mf_registry_keys_load(struct mf_registry_keys *k, const struct mf_config *cfg,
                      struct mf_error *err)
{
	char log_path[MF_CONFIG_STR_MAX + 32],
	    commit_path[MF_CONFIG_STR_MAX + 32];
	char *rec_log = NULL, *rec_commit = NULL;
	int rc;

	memset(k, 0, sizeof(*k));
	snprintf(log_path, sizeof(log_path), "%s/log.key", cfg->state_dir);
	snprintf(commit_path, sizeof(commit_path), "%s/commit.key",
	         cfg->state_dir);
	if ((rc = recorded_keys(&rec_log, &rec_commit, err)) != 0 ||
	    (rc = load_log_key(k, cfg, log_path, rec_log, err)) != 0 ||
	    (rc = load_commit_key(k, commit_path, rec_commit, err)) != 0)
		goto done;
	/* Record ours if none is recorded yet; then they must agree. */
	free(rec_log);
	free(rec_commit);
	if ((rc = mf_db_registry_set_keys(k->log_verifier_key, k->commit_public,
	                                  &rec_log, &rec_commit, err)) != 0)
		goto done;
	if (k->log_verifier_key != NULL &&
	    (rec_log == NULL || strcmp(rec_log, k->log_verifier_key) != 0)) {
		rc = mf_error_set(err, MF_E_BAD_KEY, NULL,
		                  "%s is not the key this registry's log is "
		                  "signed with (%s)",
		                  log_path, rec_log ? rec_log : "none");
		goto done;
	}
	if (k->commit_public != NULL &&
	    (rec_commit == NULL ||
	     ssh_key_part(rec_commit) != ssh_key_part(k->commit_public) ||
	     strncmp(rec_commit, k->commit_public, ssh_key_part(rec_commit)) !=
	         0)) {
		rc = mf_error_set(err, MF_E_BAD_KEY, NULL,
		                  "%s is not the key this registry's commits "
		                  "are signed with",
		                  commit_path);
		goto done;
	}
	if (k->log_verifier_key == NULL)
		k->log_verifier_key = rec_log, rec_log = NULL;
	if (k->commit_public == NULL)
		k->commit_public = rec_commit, rec_commit = NULL;
done:
	free(rec_log);
	free(rec_commit);
	if (rc != 0)
		mf_registry_keys_dispose(k);
	return rc;
}

void
mf_registry_keys_dispose(struct mf_registry_keys *k)
{
	mf_note_signer_free(k->log_signer);
	mf_key_free(k->commit_key);
	free(k->log_verifier_key);
	free(k->commit_public);
	memset(k, 0, sizeof(*k));
}
