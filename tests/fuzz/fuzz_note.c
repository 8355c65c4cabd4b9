/*
 * libFuzzer target for C2SP signed notes (merkle/note.c): verifying a
 * note against known keys (the parser of signature lines, names, base64
 * and hashes) and parsing verifier and signer key strings. Input: one
 * mode byte, then the note (mode 0) or a key string (mode 1).
 *
 * Invariants: a note that verifies has signed text that is a prefix
 * ending in "\n", and that text signed again verifies to the same text.
 * Run with MF_FUZZ_SEEDS=DIR it writes seeds into DIR and exits.
 */
#include "common/buf.h"
#include "common/error.h"
#include "merkle/note.h"
#include "tests/fuzz/fuzz_util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Test keys made with mf_note_generate_key for this target only. */
static const char *const skeys[] = {
    "PRIVATE+KEY+fuzz.modelfacts.test+e91d3629+"
    "AV8iBQ6g1I+aiEv4cx0OPG88dhhJK5GXnwi8b2STJ6BA",
    "PRIVATE+KEY+other.example+e7a88e7f+"
    "AWW441QdFhdQC954jceotck+h34S+RaDhq3v1RN3YUox",
};
static const char *const vkeys[] = {
    "fuzz.modelfacts.test+e91d3629+"
    "AdJ5QW6KYUMQqsN0BpwAcKun9BRlJiXM7SvbPP+ZYtao",
    "other.example+e7a88e7f+AXs0G/4xNYIuxuZbbIu2ecxdUzwaMQh2tFRezqOJX4ta",
};

static struct mf_note_signer *signers[2];
static struct mf_note_verifier *verifiers[2];

static void
write_seeds(const char *dir)
{
	static const char *const texts[] = {
	    "fuzz.modelfacts.test/log\n7\n"
	    "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n",
	    "modelfacts checkpoint\n0\n\n",
	    "one line\n",
	};
	struct mf_error err;
	char *note = NULL, *both = NULL, name[32];
	size_t len, both_len, i;

	mf_error_init(&err);
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		struct mf_buf b = MF_BUF_INIT;

		MF_FUZZ_CHECK(mf_note_sign(&note, &len, texts[i],
		                           strlen(texts[i]), signers[0],
		                           &err) == 0,
		              "sign");
		mf_buf_append(&b, "\0", 1);
		mf_buf_append(&b, note, len);
		snprintf(name, sizeof(name), "note-%zu", i);
		mf_fuzz_write_seed(dir, name, b.data, b.len);
		/* a second signature line, by the other key */
		MF_FUZZ_CHECK(mf_note_sign(&both, &both_len, texts[i],
		                           strlen(texts[i]), signers[1],
		                           &err) == 0,
		              "sign");
		mf_buf_append(&b, both + strlen(texts[i]) + 1,
		              both_len - strlen(texts[i]) - 1);
		snprintf(name, sizeof(name), "note2-%zu", i);
		mf_fuzz_write_seed(dir, name, b.data, b.len);
		free(note);
		free(both);
		mf_buf_dispose(&b);
	}
	for (i = 0; i < 2; i++) {
		struct mf_buf b = MF_BUF_INIT;

		mf_buf_printf(&b, "\1%s", vkeys[i]);
		snprintf(name, sizeof(name), "vkey-%zu", i);
		mf_fuzz_write_seed(dir, name, b.data, b.len);
		b.len = 0;
		mf_buf_printf(&b, "\1%s", skeys[i]);
		snprintf(name, sizeof(name), "skey-%zu", i);
		mf_fuzz_write_seed(dir, name, b.data, b.len);
		mf_buf_dispose(&b);
	}
	mf_error_dispose(&err);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct mf_error err;
	const char *seeds = getenv("MF_FUZZ_SEEDS");
	int i;

	(void)argc;
	(void)argv;
	mf_error_init(&err);
	for (i = 0; i < 2; i++)
		if (mf_note_signer_new(&signers[i], skeys[i], &err) != 0 ||
		    mf_note_verifier_new(&verifiers[i], vkeys[i], &err) != 0) {
			fprintf(stderr, "fuzz_note: keys: %s\n", err.message);
			exit(1);
		}
	mf_error_dispose(&err);
	if (seeds != NULL) {
		write_seeds(seeds);
		exit(0);
	}
	return 0;
}

/* The signed text of a verified note, signed again, verifies again. */
static void
check_verified(const char *note, size_t len, size_t text_len)
{
	const struct mf_note_verifier *const v0[] = {verifiers[0]};
	struct mf_error err;
	char *again = NULL;
	size_t again_len, again_text = 0;

	MF_FUZZ_CHECK(text_len > 0 && text_len < len,
	              "the signed text is a proper prefix");
	MF_FUZZ_CHECK(note[text_len - 1] == '\n',
	              "the signed text ends in a newline");
	mf_error_init(&err);
	if (mf_note_sign(&again, &again_len, note, text_len, signers[0],
	                 &err) == 0) {
		MF_FUZZ_CHECK(mf_note_verify(again, again_len, v0, 1,
		                             &again_text, &err) == 0,
		              "a note signed again verifies");
		MF_FUZZ_CHECK(again_text == text_len &&
		                  memcmp(again, note, text_len) == 0,
		              "signed again, the text is the same");
	}
	free(again);
	mf_error_dispose(&err);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct mf_note_verifier *const vs[] = {verifiers[0],
	                                             verifiers[1]};
	struct mf_note_verifier *v = NULL;
	struct mf_note_signer *s = NULL;
	struct mf_error err;
	char *key = NULL;
	size_t text_len = 0;

	if (size < 1)
		return 0;
	mf_error_init(&err);
	if ((data[0] & 1) == 0) {
		if (mf_note_verify((const char *)data + 1, size - 1, vs, 2,
		                   &text_len, &err) == 0)
			check_verified((const char *)data + 1, size - 1,
			               text_len);
		goto done;
	}
	if ((key = strndup((const char *)data + 1, size - 1)) == NULL)
		goto done;
	if (mf_note_verifier_new(&v, key, &err) == 0) {
		const char *name = mf_note_verifier_name(v);

		MF_FUZZ_CHECK(strlen(name) > 0 &&
		                  strlen(name) <= MF_NOTE_NAME_MAX &&
		                  strpbrk(name, " +\n") == NULL,
		              "a key name is printable, without space or +");
	}
	(void)mf_note_signer_new(&s, key, &err);
done:
	mf_note_verifier_free(v);
	mf_note_signer_free(s);
	free(key);
	mf_error_dispose(&err);
	return 0;
}
