/* Registry identity and the admin token (see registry.h). */
#include "app/registry.h"
#include "common/digest.h"
#include "common/encoding.h"
#include "common/diag.h"
#include "app/config.h"
#include "db/registry.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
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
	bool won;

	if (RAND_bytes(raw, sizeof(raw)) != 1)
		return mf_error_set(err, MF_E_INTERNAL, NULL, "no randomness");
	memcpy(token, TOKEN_PREFIX, sizeof(TOKEN_PREFIX) - 1);
	mf_hex_encode(token + sizeof(TOKEN_PREFIX) - 1, raw, sizeof(raw));
	mf_sha256_hex(hash, token, strlen(token));
	OPENSSL_cleanse(raw, sizeof(raw));
	/* The database decides who sets it when several servers start. */
	if (mf_db_registry_set_admin(hash, &won, err) != 0)
		return err->code;
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
	char *origin = NULL, *admin = NULL;
	int rc;

	/* 1. The state directory for the secrets. */
	if (mkdir(cfg->state_dir, 0700) != 0 && errno != EEXIST)
		return mf_error_set(err, MF_E_IO, NULL,
		                    "cannot create state directory %s: %s",
		                    cfg->state_dir, strerror(errno));
	/* 2. The origin: recorded on first start, checked afterwards. */
	if ((rc = mf_db_registry_init(cfg->origin, err)) != 0 ||
	    (rc = mf_db_registry_get(&origin, &admin, err)) != 0)
		goto done;
	if (origin == NULL || strcmp(origin, cfg->origin) != 0) {
		rc = mf_error_set(err, MF_E_BAD_PARAM, NULL,
		                  "this database belongs to the registry "
		                  "'%s', not '%s': start with --origin %s",
		                  origin ? origin : "", cfg->origin,
		                  origin ? origin : "");
		goto done;
	}
	/* 3. The admin token, once. */
	if (admin == NULL)
		rc = setup_admin_token(cfg, err);
done:
	free(origin);
	free(admin);
	return rc;
}

int
mf_registry_check_admin(const char *authorization, bool *ok,
                        struct mf_error *err)
{
	char hash[MF_SHA256_HEX_LEN + 1];
	char *admin = NULL;
	const char *token;
	int rc;

	*ok = false;
	/* the scheme is case-insensitive (RFC 9110 11.1): "bearer" too */
	if (authorization == NULL ||
	    strncasecmp(authorization, "Bearer ", 7) != 0)
		return 0;
	token = authorization + 7;
	mf_sha256_hex(hash, token, strlen(token));
	if ((rc = mf_db_registry_get(NULL, &admin, err)) != 0)
		return rc;
	if (admin != NULL && strlen(admin) == MF_SHA256_HEX_LEN)
		*ok = CRYPTO_memcmp(hash, admin, MF_SHA256_HEX_LEN) == 0;
	free(admin);
	return 0;
}
