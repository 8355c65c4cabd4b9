/* Registry identity and the admin token (see registry.h). */
#include "app/registry.h"
#include "common/digest.h"
#include "common/encoding.h"
#include "common/diag.h"
#include "app/config.h"
#include "db/exec.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TOKEN_PREFIX "mfadm_"

/* Writes text to path through a 0600 temporary file and a rename. */
static int
write_secret(const char *path, const char *text, struct mf_error *err)
{
	char tmp[MF_CONFIG_STR_MAX + 64];
	size_t len = strlen(text);
	int fd;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd < 0)
		return mf_error_set(err, MF_E_IO, NULL, "cannot create %s: %s",
		                    tmp, strerror(errno));
	if (write(fd, text, len) != (ssize_t)len || fsync(fd) != 0) {
		close(fd);
		unlink(tmp);
		return mf_error_set(err, MF_E_IO, NULL, "cannot write %s", tmp);
	}
	close(fd);
	if (rename(tmp, path) != 0) {
		unlink(tmp);
		return mf_error_set(err, MF_E_IO, NULL, "cannot rename to %s",
		                    path);
	}
	return 0;
}

static int
setup_admin_token(const struct mf_config *cfg, struct mf_error *err)
{
	uint8_t raw[32];
	char token[sizeof(TOKEN_PREFIX) + 64 + 2], hash[MF_SHA256_HEX_LEN + 1];
	char path[MF_CONFIG_STR_MAX + 32];
	PGresult *res;
	int won;

	if (RAND_bytes(raw, sizeof(raw)) != 1)
		return mf_error_set(err, MF_E_INTERNAL, NULL, "no randomness");
	memcpy(token, TOKEN_PREFIX, sizeof(TOKEN_PREFIX) - 1);
	mf_hex_encode(token + sizeof(TOKEN_PREFIX) - 1, raw, sizeof(raw));
	mf_sha256_hex(hash, token, strlen(token));
	OPENSSL_cleanse(raw, sizeof(raw));
	/* The database decides who sets it when several servers start. */
	res = mf_db_execv(MF_SQL_REGISTRY_SET_ADMIN, err, 1, hash);
	if (res == NULL)
		return err->code;
	won = PQntuples(res) == 1;
	PQclear(res);
	if (!won)
		return 0;
	snprintf(path, sizeof(path), "%s/admin.token", cfg->state_dir);
	strcat(token, "\n");
	if (write_secret(path, token, err) != 0)
		return err->code;
	OPENSSL_cleanse(token, sizeof(token));
	mf_diag_info("created the admin token in %s (mode 0600)", path);
	return 0;
}

int
mf_registry_setup(const struct mf_config *cfg, struct mf_error *err)
{
	PGresult *res;
	int rc = 0, need_token;

	if (mkdir(cfg->state_dir, 0700) != 0 && errno != EEXIST)
		return mf_error_set(err, MF_E_IO, NULL,
		                    "cannot create state directory %s: %s",
		                    cfg->state_dir, strerror(errno));
	res = mf_db_execv(MF_SQL_REGISTRY_INIT, err, 1, cfg->origin);
	if (res == NULL)
		return err->code;
	PQclear(res);
	res = mf_db_execv(MF_SQL_REGISTRY_GET, err, 0);
	if (res == NULL)
		return err->code;
	if (strcmp(PQgetvalue(res, 0, 0), cfg->origin) != 0)
		rc = mf_error_set(err, MF_E_BAD_PARAM, NULL,
		                  "this database belongs to the registry "
		                  "'%s', not '%s': start with --origin %s",
		                  PQgetvalue(res, 0, 0), cfg->origin,
		                  PQgetvalue(res, 0, 0));
	need_token = PQgetisnull(res, 0, 1);
	PQclear(res);
	if (rc == 0 && need_token)
		rc = setup_admin_token(cfg, err);
	return rc;
}

int
mf_registry_check_admin(const char *authorization, bool *ok,
                        struct mf_error *err)
{
	char hash[MF_SHA256_HEX_LEN + 1];
	const char *token;
	PGresult *res;

	*ok = false;
	if (authorization == NULL || strncmp(authorization, "Bearer ", 7) != 0)
		return 0;
	token = authorization + 7;
	mf_sha256_hex(hash, token, strlen(token));
	res = mf_db_execv(MF_SQL_REGISTRY_GET, err, 0);
	if (res == NULL)
		return err->code;
	if (PQntuples(res) == 1 && !PQgetisnull(res, 0, 1) &&
	    PQgetlength(res, 0, 1) == MF_SHA256_HEX_LEN)
		*ok = CRYPTO_memcmp(hash, PQgetvalue(res, 0, 1),
		                    MF_SHA256_HEX_LEN) == 0;
	PQclear(res);
	return 0;
}
