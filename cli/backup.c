/*
 * The parts of `admin backup` and `admin restore` both need (backup.h):
 * sealing the key files to a passphrase with OpenSSL (scrypt and
 * AES-256-GCM), hashing files, running pg_dump, pg_restore and git.
 */
#include "cli/backup.h"
#include "common/file.h"

#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/pem.h>
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
gcm(int enc, const uint8_t key[32], const uint8_t *hdr, size_t hdr_len,
    const char *name, const uint8_t *in, size_t len, uint8_t *out,
    uint8_t tag[16])
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int n = 0, rc = -1;

	/* 1. Key, nonce and the additional data: header and name. */
	if (c == NULL || len > (size_t)INT32_MAX ||
	    EVP_CipherInit_ex(c, EVP_aes_256_gcm(), NULL, NULL, NULL, enc) !=
	        1 ||
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, 12, NULL) != 1 ||
	    EVP_CipherInit_ex(c, NULL, NULL, key, hdr + NONCE_OFF, enc) != 1 ||
	    EVP_CipherUpdate(c, NULL, &n, hdr, (int)hdr_len) != 1 ||
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

/*
 * The X25519 key agreement of kind 2: mine (the sender's ephemeral key,
 * or the recipient's private key) with peer_pub; HKDF binds both public
 * keys. eph and rcpt are the sender's and the recipient's public keys.
 */
static int
derive_x25519(uint8_t key[32], const uint8_t *hdr, EVP_PKEY *mine,
              EVP_PKEY *peer, const uint8_t eph[32], const uint8_t rcpt[32])
{
	static const char label[] = "modelfacts-seal/1";
	uint8_t shared[32], info[sizeof(label) - 1 + 64];
	size_t n = sizeof(shared), klen = 32;
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(mine, NULL), *h = NULL;
	int rc = -1;

	/* 1. The shared secret. */
	if (c == NULL || EVP_PKEY_derive_init(c) != 1 ||
	    EVP_PKEY_derive_set_peer(c, peer) != 1 ||
	    EVP_PKEY_derive(c, shared, &n) != 1 || n != 32)
		goto done;
	/* 2. HKDF-SHA256 over it, with the salt and both public keys. */
	memcpy(info, label, sizeof(label) - 1);
	memcpy(info + sizeof(label) - 1, eph, 32);
	memcpy(info + sizeof(label) - 1 + 32, rcpt, 32);
	if ((h = EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, NULL)) == NULL ||
	    EVP_PKEY_derive_init(h) != 1 ||
	    EVP_PKEY_CTX_set_hkdf_md(h, EVP_sha256()) != 1 ||
	    EVP_PKEY_CTX_set1_hkdf_salt(h, hdr + SALT_OFF, 16) != 1 ||
	    EVP_PKEY_CTX_set1_hkdf_key(h, shared, 32) != 1 ||
	    EVP_PKEY_CTX_add1_hkdf_info(h, info, sizeof(info)) != 1 ||
	    EVP_PKEY_derive(h, key, &klen) != 1 || klen != 32)
		goto done;
	rc = 0;
done:
	OPENSSL_cleanse(shared, sizeof(shared));
	EVP_PKEY_CTX_free(c);
	EVP_PKEY_CTX_free(h);
	return rc;
}

int
mf_seal(struct mf_buf *out, const char *name, const uint8_t *data, size_t len,
        const struct mf_seal_key *k)
{
	uint8_t hdr[MF_SEAL_HEADER_LEN + 32], key[32], tag[16], rcpt[32];
	uint8_t *ct = NULL;
	EVP_PKEY *eph = NULL;
	size_t hlen = MF_SEAL_HEADER_LEN, n = 32;
	int rc = -1;

	/* 1. The header: magic, the kind and its parameters, salt, nonce. */
	memset(hdr, 0, sizeof(hdr));
	memcpy(hdr, magic, 8);
	hdr[8] = k->x25519 ? 2 : 1;
	if (k->x25519 == NULL) {
		hdr[9] = SEAL_LOG2N;
		hdr[10] = SEAL_R;
		hdr[11] = SEAL_P;
	}
	if (RAND_bytes(hdr + SALT_OFF, 28) != 1)
		goto done;
	/* 2. The key: scrypt, or X25519 with a fresh key of ours. */
	if (k->x25519 == NULL) {
		if (derive(key, hdr, k->pass, k->pass_len) != 0)
			goto done;
	} else {
		if ((eph = EVP_PKEY_Q_keygen(NULL, NULL, "X25519")) == NULL ||
		    EVP_PKEY_get_raw_public_key(eph, hdr + hlen, &n) != 1 ||
		    EVP_PKEY_get_raw_public_key(k->x25519, rcpt, &n) != 1 ||
		    derive_x25519(key, hdr, eph, k->x25519, hdr + hlen, rcpt) !=
		        0)
			goto done;
		hlen += 32;
	}
	/* 3. Encrypted and tagged. */
	if ((ct = malloc(len + 1)) == NULL ||
	    gcm(1, key, hdr, hlen, name, data, len, ct, tag) != 0)
		goto done;
	if (mf_buf_append(out, hdr, hlen) != 0 ||
	    mf_buf_append(out, ct, len) != 0 ||
	    mf_buf_append(out, tag, sizeof(tag)) != 0)
		goto done;
	rc = 0;
done:
	OPENSSL_cleanse(key, sizeof(key));
	if (ct != NULL)
		OPENSSL_cleanse(ct, len);
	free(ct);
	EVP_PKEY_free(eph);
	return rc;
}

/* The key of a sealed file (its header checked); 0 or -1 (msg says). */
static int
open_key(uint8_t key[32], size_t *hlen, const char *name, const uint8_t *sealed,
         size_t len, const struct mf_seal_key *k, char *msg, size_t msg_len)
{
	uint8_t rcpt[32];
	EVP_PKEY *peer = NULL;
	size_t n = 32;
	int rc = -1;

	*hlen = MF_SEAL_HEADER_LEN;
	if (len < MF_SEAL_HEADER_LEN + MF_SEAL_TAG_LEN ||
	    memcmp(sealed, magic, 8) != 0 || sealed[8] < 1 || sealed[8] > 2) {
		snprintf(msg, msg_len, "%s is not a sealed file", name);
		return -1;
	}
	if ((sealed[8] == 2) != (k->x25519 != NULL)) {
		snprintf(msg, msg_len, "%s is sealed to %s", name,
		         sealed[8] == 2
		             ? "a recipient key: give --identity"
		             : "a passphrase: give --passphrase-file");
		return -1;
	}
	if (sealed[8] == 1) {
		if (sealed[9] < 10 || sealed[9] > 20 || sealed[10] == 0 ||
		    sealed[11] == 0 || sealed[10] * sealed[11] > 64) {
			snprintf(msg, msg_len,
			         "%s: scrypt parameters out of range", name);
			return -1;
		}
		if (derive(key, sealed, k->pass, k->pass_len) != 0) {
			snprintf(msg, msg_len, "%s: cannot derive the key",
			         name);
			return -1;
		}
		return 0;
	}
	*hlen += 32;
	if (len < *hlen + MF_SEAL_TAG_LEN ||
	    (peer = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL,
	                                        sealed + MF_SEAL_HEADER_LEN,
	                                        32)) == NULL ||
	    EVP_PKEY_get_raw_public_key(k->x25519, rcpt, &n) != 1 ||
	    derive_x25519(key, sealed, k->x25519, peer,
	                  sealed + MF_SEAL_HEADER_LEN, rcpt) != 0)
		snprintf(msg, msg_len, "%s: cannot derive the key", name);
	else
		rc = 0;
	EVP_PKEY_free(peer);
	return rc;
}

int
mf_unseal(char **out, size_t *out_len, const char *name, const uint8_t *sealed,
          size_t len, const struct mf_seal_key *k, char *msg, size_t msg_len)
{
	uint8_t key[32], tag[16];
	size_t n, hlen;
	char *pt = NULL;
	int rc = -1;

	*out = NULL;
	*out_len = 0;
	/* 1. A header we know, and the key it calls for. */
	if (open_key(key, &hlen, name, sealed, len, k, msg, msg_len) != 0)
		goto done;
	/* 2. Decrypted; the tag checks key, header, name and text. */
	n = len - hlen - MF_SEAL_TAG_LEN;
	memcpy(tag, sealed + len - MF_SEAL_TAG_LEN, 16);
	if ((pt = malloc(n + 1)) == NULL) {
		snprintf(msg, msg_len, "out of memory");
		goto done;
	}
	if (gcm(0, key, sealed, hlen, name, sealed + hlen, n, (uint8_t *)pt,
	        tag) != 0) {
		snprintf(msg, msg_len,
		         "%s does not open with this %s (a wrong key, or the "
		         "file was changed)",
		         name, k->x25519 ? "identity" : "passphrase");
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

EVP_PKEY *
mf_backup_x25519(const char *path, int priv)
{
	FILE *f = fopen(path, "r");
	EVP_PKEY *k = NULL;

	if (f == NULL) {
		fprintf(stderr, "modelfacts: cannot open %s: %s\n", path,
		        strerror(errno));
		return NULL;
	}
	k = priv ? PEM_read_PrivateKey(f, NULL, NULL, NULL)
	         : PEM_read_PUBKEY(f, NULL, NULL, NULL);
	fclose(f);
	if (k == NULL || EVP_PKEY_get_id(k) != EVP_PKEY_X25519) {
		fprintf(
		    stderr,
		    "modelfacts: %s is not an X25519 %s key in PEM (openssl "
		    "genpkey -algorithm X25519)\n",
		    path, priv ? "private" : "public");
		EVP_PKEY_free(k);
		return NULL;
	}
	return k;
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

int
mf_backup_places(const char **url, const char **state, const char **git,
                 char *git_buf, size_t git_buf_len)
{
	if ((*url = mf_backup_database_url(*url)) == NULL) {
		fprintf(stderr, "modelfacts: no database: give --database-url "
		                "or set DATABASE_URL\n");
		return -1;
	}
	if (*state == NULL)
		*state = getenv("MODELFACTS_STATE_DIR");
	if (*state == NULL || **state == '\0')
		*state = "var";
	if (git == NULL)
		return 0;
	if (*git == NULL)
		*git = getenv("MODELFACTS_GIT_DIR");
	if (*git == NULL || **git == '\0') {
		snprintf(git_buf, git_buf_len, "%s/labels.git", *state);
		*git = git_buf;
	}
	return 0;
}
