/*
 * tlog-checkpoint bodies (see checkpoint.h): the three fixed lines plus
 * optional extension lines. Parsing is strict so that one tree state has
 * exactly one checkpoint text for a given origin.
 */
#include "merkle/checkpoint.h"
#include "common/buf.h"
#include "common/encoding.h"

#include <stdlib.h>
#include <string.h>

void
mf_checkpoint_init(struct mf_checkpoint *cp)
{
	memset(cp, 0, sizeof(*cp));
}

void
mf_checkpoint_dispose(struct mf_checkpoint *cp)
{
	if (cp == NULL)
		return;
	free(cp->origin);
	free(cp->extensions);
	mf_checkpoint_init(cp);
}

/* Extension lines: each non-empty and ending in a newline. */
static int
extensions_valid(const char *ext, size_t len)
{
	size_t i, start = 0;

	if (len > 0 && ext[len - 1] != '\n')
		return 0;
	for (i = 0; i < len; i++) {
		if (ext[i] == '\n') {
			if (i == start)
				return 0;
			start = i + 1;
		}
	}
	return 1;
}

int
mf_checkpoint_format(char **out, const char *origin, uint64_t size,
                     const uint8_t root[MF_MERKLE_HASH_LEN],
                     const char *extensions)
{
	char b64[64];
	struct mf_buf b = MF_BUF_INIT;
	int rc;

	*out = NULL;
	if (origin == NULL || origin[0] == '\0' || strchr(origin, '\n') != NULL)
		return MF_E_BAD_PARAM;
	if (extensions == NULL)
		extensions = "";
	if (!extensions_valid(extensions, strlen(extensions)))
		return MF_E_BAD_PARAM;
	mf_base64_encode(b64, root, MF_MERKLE_HASH_LEN);
	if ((rc = mf_buf_printf(&b, "%s\n%llu\n%s\n%s", origin,
	                        (unsigned long long)size, b64, extensions)) !=
	    0) {
		mf_buf_dispose(&b);
		return rc;
	}
	*out = mf_buf_detach(&b, NULL);
	return *out != NULL ? 0 : MF_E_NOMEM;
}

/* The next line of text (without its "\n"); -1 if no newline is left. */
static int
next_line(const char **p, const char *end, const char **line, size_t *n)
{
	const char *nl = memchr(*p, '\n', (size_t)(end - *p));

	if (nl == NULL)
		return -1;
	*line = *p;
	*n = (size_t)(nl - *p);
	*p = nl + 1;
	return 0;
}

static int
parse_size(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (n == 0 || n > 20 || (n > 1 && s[0] == '0'))
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		if (v > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return 0;
}

int
mf_checkpoint_parse(struct mf_checkpoint *cp, const char *text, size_t len,
                    struct mf_error *err)
{
	const char *p = text, *end = text + len, *line;
	size_t n, raw_len = 0;
	uint8_t *raw = NULL;
	char canon[64];
	int rc;

	mf_checkpoint_init(cp);
	if (next_line(&p, end, &line, &n) != 0 || n == 0) {
		rc = mf_error_set(err, MF_E_BAD_NOTE, NULL,
		                  "checkpoint: missing origin line");
		goto done;
	}
	if ((cp->origin = strndup(line, n)) == NULL) {
		rc = mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
		goto done;
	}
	if (next_line(&p, end, &line, &n) != 0 ||
	    parse_size(line, n, &cp->size) != 0) {
		rc = mf_error_set(err, MF_E_BAD_NOTE, NULL,
		                  "checkpoint: tree size must be a decimal "
		                  "number without leading zeros");
		goto done;
	}
	if (next_line(&p, end, &line, &n) != 0 || n != 44 ||
	    mf_base64_decode(&raw, &raw_len, line, n) != 0 ||
	    raw_len != MF_MERKLE_HASH_LEN) {
		rc = mf_error_set(err, MF_E_BAD_NOTE, NULL,
		                  "checkpoint: root hash must be base64 of "
		                  "32 bytes");
		goto done;
	}
	mf_base64_encode(canon, raw, raw_len);
	if (memcmp(canon, line, n) != 0) {
		rc = mf_error_set(err, MF_E_BAD_NOTE, NULL,
		                  "checkpoint: root hash must use standard "
		                  "base64");
		goto done;
	}
	memcpy(cp->root, raw, MF_MERKLE_HASH_LEN);
	if (!extensions_valid(p, (size_t)(end - p))) {
		rc = mf_error_set(err, MF_E_BAD_NOTE, NULL,
		                  "checkpoint: empty or unterminated "
		                  "extension line");
		goto done;
	}
	if ((cp->extensions = strndup(p, (size_t)(end - p))) == NULL) {
		rc = mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
		goto done;
	}
	rc = 0;
done:
	free(raw);
	if (rc != 0)
		mf_checkpoint_dispose(cp);
	return rc;
}

int
mf_checkpoint_sign(char **out, const char *origin, uint64_t size,
                   const uint8_t root[MF_MERKLE_HASH_LEN],
                   const struct mf_note_signer *signer, struct mf_error *err)
{
	char *body = NULL;
	size_t n;
	int rc;

	*out = NULL;
	if ((rc = mf_checkpoint_format(&body, origin, size, root, NULL)) != 0)
		return mf_error_set(err, rc, NULL,
		                    "cannot format the checkpoint");
	rc = mf_note_sign(out, &n, body, strlen(body), signer, err);
	free(body);
	return rc;
}

int
mf_checkpoint_open(struct mf_checkpoint *cp, const char *note, size_t len,
                   const struct mf_note_verifier *verifier,
                   const char *want_origin, struct mf_error *err)
{
	size_t text_len;
	int rc;

	mf_checkpoint_init(cp);
	if ((rc = mf_note_verify(note, len, &verifier, 1, &text_len, err)) != 0)
		return rc;
	if ((rc = mf_checkpoint_parse(cp, note, text_len, err)) != 0)
		return rc;
	if (want_origin != NULL && strcmp(cp->origin, want_origin) != 0) {
		rc = mf_error_set(err, MF_E_BAD_NOTE, NULL,
		                  "checkpoint origin \"%s\" is not \"%s\"",
		                  cp->origin, want_origin);
		mf_checkpoint_dispose(cp);
		return rc;
	}
	return 0;
}
