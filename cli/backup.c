/*
 * The parts of `admin backup` and `admin restore` both need (backup.h):
 * sealing the key files to a passphrase with OpenSSL (scrypt and
 * AES-256-GCM), hashing files, running pg_dump, pg_restore and git.
 */
#include "cli/backup.h"
#include "common/file.h"

#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

const char *const mf_backup_secret_files[] = {"log.key", "commit.key",
                                              "admin.token", NULL};

static const char magic[8] = {'M', 'F', 'S', 'E', 'A', 'L', '1', '\n'};

#define SEAL_LOG2N 15
#define SEAL_R     8
#define SEAL_P     1
#define SALT_OFF   12
#define NONCE_OFF  28

/* The AES key from the passphrase and the header's parameters. */
static int
derive(uint8_t key[32], const uint8_t *hdr, const char *pass, size_t pass_len)
{
	uint64_t n = (uint64_t)1 << hdr[9];

	return EVP_PBE_scrypt(pass, pass_len, hdr + SALT_OFF, 16, n, hdr[10],
	                      hdr[11], (uint64_t)160 << 20, key, 32) == 1
	           ? 0
	           : -1;
}

/* One AES-256-GCM pass; enc 1 seals (writes the tag), 0 opens (checks). */
static int
gcm(int enc, const uint8_t key[32], const uint8_t *hdr, const char *name,
    const uint8_t *in, size_t len, uint8_t *out, uint8_t tag[16])
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int n = 0, rc = -1;

	/* 1. Key, nonce and the additional data: header and name. */
	if (c == NULL || len > (size_t)INT32_MAX ||
	    EVP_CipherInit_ex(c, EVP_aes_256_gcm(), NULL, NULL, NULL, enc) !=
	        1 ||
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, 12, NULL) != 1 ||
	    EVP_CipherInit_ex(c, NULL, NULL, key, hdr + NONCE_OFF, enc) != 1 ||
	    EVP_CipherUpdate(c, NULL, &n, hdr, MF_SEAL_HEADER_LEN) != 1 ||
	    EVP_CipherUpdate(c, NULL, &n, (const uint8_t *)name,
	                     (int)strlen(name)) != 1)
		goto done;
	/* 2. The text, then the tag written or checked. */
	if (len > 0 && EVP_CipherUpdate(c, out, &n, in, (int)len) != 1)
		goto done;
	if (!enc && EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, 16, tag) != 1)
		goto done;
	if (EVP_CipherFinal_ex(c, out + n, &n) != 1)
		goto done;
	if (enc && EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, tag) != 1)
		goto done;
	rc = 0;
done:
	EVP_CIPHER_CTX_free(c);
	return rc;
}

int
mf_seal(struct mf_buf *out, const char *name, const uint8_t *data, size_t len,
        const char *pass, size_t pass_len)
{
	uint8_t hdr[MF_SEAL_HEADER_LEN], key[32], tag[16], *ct = NULL;
	int rc = -1;

	/* 1. The header: magic, scrypt's parameters, fresh salt and nonce. */
	memcpy(hdr, magic, 8);
	hdr[8] = 1;
	hdr[9] = SEAL_LOG2N;
	hdr[10] = SEAL_R;
	hdr[11] = SEAL_P;
	if (RAND_bytes(hdr + SALT_OFF, 28) != 1 ||
	    derive(key, hdr, pass, pass_len) != 0)
		goto done;
	/* 2. Encrypted and tagged. */
	if ((ct = malloc(len + 1)) == NULL ||
	    gcm(1, key, hdr, name, data, len, ct, tag) != 0)
		goto done;
	if (mf_buf_append(out, hdr, sizeof(hdr)) != 0 ||
	    mf_buf_append(out, ct, len) != 0 ||
	    mf_buf_append(out, tag, sizeof(tag)) != 0)
		goto done;
	rc = 0;
done:
	OPENSSL_cleanse(key, sizeof(key));
	if (ct != NULL)
		OPENSSL_cleanse(ct, len);
	free(ct);
	return rc;
}

int
mf_unseal(char **out, size_t *out_len, const char *name, const uint8_t *sealed,
          size_t len, const char *pass, size_t pass_len, char *msg,
          size_t msg_len)
{
	uint8_t key[32], tag[16];
	size_t n;
	char *pt = NULL;
	int rc = -1;

	*out = NULL;
	*out_len = 0;
	/* 1. A header we know, with bounded scrypt parameters. */
	if (len < MF_SEAL_HEADER_LEN + MF_SEAL_TAG_LEN ||
	    memcmp(sealed, magic, 8) != 0 || sealed[8] != 1) {
		snprintf(msg, msg_len, "%s is not a sealed file", name);
		goto done;
	}
	if (sealed[9] < 10 || sealed[9] > 20 || sealed[10] == 0 ||
	    sealed[11] == 0 || sealed[10] * sealed[11] > 64) {
		snprintf(msg, msg_len, "%s: scrypt parameters out of range",
		         name);
		goto done;
	}
	/* 2. Decrypted; the tag checks passphrase, header, name and text. */
	n = len - MF_SEAL_HEADER_LEN - MF_SEAL_TAG_LEN;
	memcpy(tag, sealed + len - MF_SEAL_TAG_LEN, 16);
	if ((pt = malloc(n + 1)) == NULL ||
	    derive(key, sealed, pass, pass_len) != 0) {
		snprintf(msg, msg_len, "%s: cannot derive the key", name);
		goto done;
	}
	if (gcm(0, key, sealed, name, sealed + MF_SEAL_HEADER_LEN, n,
	        (uint8_t *)pt, tag) != 0) {
		snprintf(msg, msg_len,
		         "%s does not open with this passphrase (a wrong "
		         "passphrase, or the file was changed)",
		         name);
		OPENSSL_cleanse(pt, n);
		goto done;
	}
	pt[n] = '\0';
	*out = pt;
	*out_len = n;
	pt = NULL;
	rc = 0;
done:
	OPENSSL_cleanse(key, sizeof(key));
	free(pt);
	return rc;
}

int
mf_backup_file_sha256(const char *path, char hex[65], uint64_t *size)
{
	static const char digits[] = "0123456789abcdef";
	unsigned char buf[65536], md[32];
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	FILE *f = fopen(path, "rb");
	unsigned int mdlen = 0, i;
	size_t n;
	int rc = -1;

	*size = 0;
	if (c == NULL || f == NULL ||
	    EVP_DigestInit_ex(c, EVP_sha256(), NULL) != 1)
		goto done;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
		if (EVP_DigestUpdate(c, buf, n) != 1)
			goto done;
		*size += n;
	}
	if (ferror(f) || EVP_DigestFinal_ex(c, md, &mdlen) != 1)
		goto done;
	for (i = 0; i < 32; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 15];
	}
	hex[64] = '\0';
	rc = 0;
done:
	if (f != NULL)
		fclose(f);
	EVP_MD_CTX_free(c);
	return rc;
}

int
mf_backup_run(const char *const argv[], struct mf_buf *capture)
{
	int fds[2] = {-1, -1}, status, devnull;
	char buf[4096];
	ssize_t n;
	pid_t pid;

	/* 1. The child: stdin from /dev/null, stdout to us when captured. */
	if (capture != NULL && pipe(fds) != 0)
		return -1;
	fflush(NULL);
	if ((pid = fork()) < 0) {
		if (capture != NULL)
			close(fds[0]), close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		if ((devnull = open("/dev/null", O_RDONLY)) >= 0)
			dup2(devnull, 0);
		if (capture != NULL) {
			dup2(fds[1], 1);
			close(fds[0]);
			close(fds[1]);
		}
		execvp(argv[0], (char *const *)argv);
		fprintf(stderr, "modelfacts: cannot run %s: %s\n", argv[0],
		        strerror(errno));
		_exit(127);
	}
	/* 2. What it prints, bounded; then its exit status. */
	if (capture != NULL) {
		close(fds[1]);
		while ((n = read(fds[0], buf, sizeof(buf))) != 0) {
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				break;
			if (capture->len + (size_t)n <= (1u << 20))
				mf_buf_append(capture, buf, (size_t)n);
		}
		close(fds[0]);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int
mf_backup_write_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	const char *p = data;
	ssize_t n;

	if (fd < 0)
		return -1;
	while (len > 0) {
		if ((n = write(fd, p, len)) < 0) {
			if (errno == EINTR)
				continue;
			close(fd);
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	if (fsync(fd) != 0) {
		close(fd);
		return -1;
	}
	return close(fd);
}

char *
mf_backup_passphrase(const char *path, size_t *len)
{
	struct mf_error err;
	char *p = NULL, *nl;

	mf_error_init(&err);
	if (mf_file_read(&p, len, path, 4096, &err) != 0) {
		fprintf(stderr, "modelfacts: --passphrase-file: %s\n",
		        err.message);
		mf_error_dispose(&err);
		return NULL;
	}
	mf_error_dispose(&err);
	if ((nl = strpbrk(p, "\r\n")) != NULL)
		*nl = '\0';
	*len = strlen(p);
	if (*len < 8) {
		fprintf(stderr,
		        "modelfacts: the passphrase in %s is shorter "
		        "than 8 bytes\n",
		        path);
		OPENSSL_cleanse(p, *len);
		free(p);
		return NULL;
	}
	return p;
}

const char *
mf_backup_database_url(const char *flag)
{
	const char *v = flag;

	if (v == NULL || *v == '\0')
		v = getenv("DATABASE_URL");
	if (v == NULL || *v == '\0')
		v = getenv("MODELFACTS_DATABASE_URL");
	return v != NULL && *v != '\0' ? v : NULL;
}
