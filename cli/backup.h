/*
 * What `admin backup` and `admin restore` share (cli/backup.c): the
 * sealed-file format the key files are encrypted in, streaming SHA-256 of
 * the backup's files, running the stock tools (pg_dump, pg_restore, git)
 * and the names of the files a backup holds. README.md, "### Backups",
 * documents the format for people.
 */
#ifndef MF_CLI_BACKUP_H
#define MF_CLI_BACKUP_H

#include "common/buf.h"

#include <openssl/evp.h>

#include <stddef.h>
#include <stdint.h>

/* What a backup directory holds (besides the sealed key files). */
#define MF_BACKUP_MANIFEST      "manifest.json"
#define MF_BACKUP_MANIFEST_SEAL "manifest.sha256.sealed"
#define MF_BACKUP_DUMP          "database.dump"
#define MF_BACKUP_BUNDLE        "labels.bundle"
#define MF_BACKUP_FORMAT        "modelfacts-backup/1"

/* The state directory's secret files, each sealed as NAME.sealed. */
extern const char *const mf_backup_secret_files[];

/*
 * The sealed-file format, "MFSEAL1": an 8-byte magic "MFSEAL1\n", the key
 * kind, three parameter bytes, a 16-byte salt and a 12-byte nonce (the
 * 40-byte header), then AES-256-GCM ciphertext and its 16-byte tag.
 *   kind 1, a passphrase: the bytes are log2 N, r, p and the key is
 *     scrypt(passphrase, salt, N, r, p). Sealing uses N = 2^15, r = 8,
 *     p = 1; opening refuses log2 N above 20 or r * p above 64.
 *   kind 2, an X25519 recipient key: the bytes are 0, and the header is
 *     followed by the sender's fresh 32-byte X25519 public key E; the key
 *     is HKDF-SHA256(X25519(e, R), salt, "modelfacts-seal/1" || E || R).
 * The additional data is everything before the ciphertext followed by
 * the file's name, so a sealed file cannot be passed off as another.
 */
#define MF_SEAL_HEADER_LEN 40
#define MF_SEAL_TAG_LEN    16

/* What seals (a passphrase, or a recipient's X25519 public key) and
 * opens (the passphrase, or the recipient's private key). */
struct mf_seal_key {
	const char *pass;
	size_t pass_len;
	EVP_PKEY *x25519; /* NULL: the passphrase */
};

/* Seals data as name into out (appended). 0 or -1. */
int mf_seal(struct mf_buf *out, const char *name, const uint8_t *data,
            size_t len, const struct mf_seal_key *k);

/*
 * Opens a sealed file: *out (new, NUL-terminated, *out_len bytes) or -1
 * with why in msg (a wrong key and a changed file read the same: the tag
 * does not verify).
 */
int mf_unseal(char **out, size_t *out_len, const char *name,
              const uint8_t *sealed, size_t len, const struct mf_seal_key *k,
              char *msg, size_t msg_len);

/* An X25519 key from a PEM file: public (priv 0) or private (priv 1).
 * NULL when it is not one (the reason printed). */
EVP_PKEY *mf_backup_x25519(const char *path, int priv);

/* The SHA-256 (64 hex digits) and size of a file. 0 or -1 (errno). */
int mf_backup_file_sha256(const char *path, char hex[65], uint64_t *size);

/*
 * Runs argv[0] (found on PATH) with argv, stdin from /dev/null, stderr
 * inherited; stdout into capture when not NULL (at most 1 MiB), else
 * inherited. Returns the exit status, or -1 when it could not run or was
 * killed.
 */
int mf_backup_run(const char *const argv[], struct mf_buf *capture);

/* Writes data to path with mode 0600 (created, or truncated). 0 or -1. */
int mf_backup_write_file(const char *path, const void *data, size_t len);

/* The passphrase file's first line (newline dropped); NULL on failure
 * (the reason printed). At least 8 bytes are required. */
char *mf_backup_passphrase(const char *path, size_t *len);

/* --database-url, else $DATABASE_URL, else $MODELFACTS_DATABASE_URL. */
const char *mf_backup_database_url(const char *flag);

/*
 * Where the admin commands find the registry: *url as above (-1, said
 * why, when there is none), *state from --state-dir, else
 * $MODELFACTS_STATE_DIR, else "var"; with git != NULL, *git from --git-dir,
 * else $MODELFACTS_GIT_DIR, else STATE/labels.git (written to git_buf).
 */
int mf_backup_places(const char **url, const char **state, const char **git,
                     char *git_buf, size_t git_buf_len);

#endif
