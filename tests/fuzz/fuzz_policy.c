/*
 * libFuzzer target for what a regulator's client reads (issue 17):
 * C2SP tlog-policy files (merkle/policy.c) and cosigned checkpoints
 * checked against a policy (merkle/cosignature.c through
 * mf_policy_check). Input: one mode byte, then a policy text (mode 0) or
 * a signed checkpoint note (mode 1), checked against a fixed 2-of-3
 * policy of the test keys below.
 *
 * Invariants: a parsed policy with every witness cosigned meets its
 * quorum, and with none meets it only when the quorum is "none"; a
 * checkpoint that passes the check has a known log's signature that
 * verifies on its own and at least two valid cosignatures, each of which
 * verifies on its own too.
 * Run with MF_FUZZ_SEEDS=DIR it writes seeds into DIR and exits.
 */
#include "common/buf.h"
#include "common/error.h"
#include "merkle/cosignature.h"
#include "merkle/note.h"
#include "merkle/policy.h"
#include "tests/fuzz/fuzz_util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Test keys made for fuzzing only: the log's (as fuzz_note's) with
 * mf_note_generate_key, the witnesses' with `modelfacts witness keygen`. */
static const char log_skey[] = "PRIVATE+KEY+fuzz.modelfacts.test+e91d3629+"
                               "AV8iBQ6g1I+aiEv4cx0OPG88dhhJK5GXnwi8b2STJ6BA";
static const char log_vkey[] = "fuzz.modelfacts.test+e91d3629+"
                               "AdJ5QW6KYUMQqsN0BpwAcKun9BRlJiXM7SvbPP+ZYtao";
static const char *const w_skeys[] = {
    "PRIVATE+KEY+w1.fuzz.test+bd7a8f97+"
    "BIXQgEhpgawVDzDljRltlpNo1yRzcvL3n2UjMkINcyWv",
    "PRIVATE+KEY+w2.fuzz.test+b181855b+"
    "BMXWEAb9tcf05o1rI0EXJKlnDdXfvRxuEsyZ4punSQw0",
    "PRIVATE+KEY+w3.fuzz.test+251aeecb+"
    "BEXHHu8So/ClazPioNyXLuidnuu8cS6BSWyqZA8hC3rj",
};
static const char *const w_vkeys[] = {
    "w1.fuzz.test+bd7a8f97+BLD9GYi4EEiF7lQP7Hd8VLtrzBx93MUAYJq6SBFn5He9",
    "w2.fuzz.test+b181855b+BFkkEr/Y9gWrZegj4Vq0jCjwTyN+QYsAQLVnLHtwONNd",
    "w3.fuzz.test+251aeecb+BPe0LGheHckNZC1MIfAUmHdwx2zO0om3vUpbdc9bFC/5",
};
#define NW 3

static struct mf_policy *fixed;
static struct mf_note_verifier *log_verifier;
static struct mf_cosig_verifier *w_verifiers[NW];

static void
fixed_policy_text(struct mf_buf *b)
{
	size_t i;

	mf_buf_printf(b, "# a regulator's policy\nlog %s\n", log_vkey);
	for (i = 0; i < NW; i++)
		mf_buf_printf(b, "witness W%zu %s https://w%zu.example/\n",
		              i + 1, w_vkeys[i], i + 1);
	mf_buf_printf(b, "group two 2 W1 W2 W3\nquorum two\n");
}

static void
write_seeds(const char *dir)
{
	static const char body[] =
	    "fuzz.modelfacts.test\n7\n"
	    "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n";
	struct mf_note_signer *ls = NULL;
	struct mf_cosigner *cs = NULL;
	struct mf_buf b = MF_BUF_INIT;
	struct mf_error err;
	char *note = NULL, *line = NULL, name[32];
	size_t len, i;

	mf_error_init(&err);
	/* policies: the fixed one, one per group kind, and "none" */
	mf_buf_append(&b, "\0", 1);
	fixed_policy_text(&b);
	mf_fuzz_write_seed(dir, "policy-2of3", b.data, b.len);
	b.len = 0;
	mf_buf_append(&b, "\0", 1);
	mf_buf_printf(&b,
	              "log %s\nwitness A %s\nwitness B %s\n"
	              "group g any A B\ngroup h all g\nquorum h\n",
	              log_vkey, w_vkeys[0], w_vkeys[1]);
	mf_fuzz_write_seed(dir, "policy-nested", b.data, b.len);
	b.len = 0;
	mf_buf_append(&b, "\0", 1);
	mf_buf_printf(&b, "log %s\nquorum none\n", log_vkey);
	mf_fuzz_write_seed(dir, "policy-none", b.data, b.len);
	/* checkpoints: signed by the log, then with 0..3 cosignatures */
	MF_FUZZ_CHECK(mf_note_signer_new(&ls, log_skey, &err) == 0, "log key");
	MF_FUZZ_CHECK(mf_note_sign(&note, &len, body, strlen(body), ls, &err) ==
	                  0,
	              "sign");
	b.len = 0;
	mf_buf_append(&b, "\1", 1);
	mf_buf_append(&b, note, len);
	mf_fuzz_write_seed(dir, "note-0", b.data, b.len);
	for (i = 0; i < NW; i++) {
		MF_FUZZ_CHECK(mf_cosigner_new(&cs, w_skeys[i], &err) == 0,
		              "witness key");
		MF_FUZZ_CHECK(mf_cosig_sign(&line, cs, body, strlen(body),
		                            1764720000 + i, &err) == 0,
		              "cosign");
		mf_buf_puts(&b, line);
		snprintf(name, sizeof(name), "note-%zu", i + 1);
		mf_fuzz_write_seed(dir, name, b.data, b.len);
		free(line);
		line = NULL;
		mf_cosigner_free(cs);
		cs = NULL;
	}
	free(note);
	mf_note_signer_free(ls);
	mf_buf_dispose(&b);
	mf_error_dispose(&err);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct mf_buf b = MF_BUF_INIT;
	struct mf_error err;
	const char *seeds = getenv("MF_FUZZ_SEEDS");
	size_t i;

	(void)argc;
	(void)argv;
	mf_error_init(&err);
	fixed_policy_text(&b);
	if (mf_policy_parse(&fixed, b.data, b.len, 0, &err) != 0 ||
	    mf_note_verifier_new(&log_verifier, log_vkey, &err) != 0) {
		fprintf(stderr, "fuzz_policy: %s\n", err.message);
		exit(1);
	}
	for (i = 0; i < NW; i++)
		if (mf_cosig_verifier_new(&w_verifiers[i], w_vkeys[i], &err) !=
		    0) {
			fprintf(stderr, "fuzz_policy: %s\n", err.message);
			exit(1);
		}
	mf_buf_dispose(&b);
	mf_error_dispose(&err);
	if (seeds != NULL) {
		write_seeds(seeds);
		exit(0);
	}
	return 0;
}

/* Mode 0: a policy file. */
static void
one_policy(const char *text, size_t len, int flags)
{
	unsigned char all[MF_POLICY_MAX_WITNESSES],
	    none[MF_POLICY_MAX_WITNESSES];
	struct mf_policy *p = NULL;
	struct mf_error err;
	size_t n;

	mf_error_init(&err);
	if (mf_policy_parse(&p, text, len, flags, &err) != 0) {
		MF_FUZZ_CHECK(err.message[0] != '\0',
		              "a refused policy says why");
		goto done;
	}
	n = mf_policy_witness_count(p);
	MF_FUZZ_CHECK(n <= MF_POLICY_MAX_WITNESSES &&
	                  mf_policy_log_count(p) <= MF_POLICY_MAX_LOGS,
	              "within the limits");
	memset(all, 1, sizeof(all));
	memset(none, 0, sizeof(none));
	MF_FUZZ_CHECK(mf_policy_quorum_met(p, all) == 1,
	              "every witness cosigned: the quorum is met");
	MF_FUZZ_CHECK(mf_policy_quorum_met(p, none) ==
	                  (strcmp(mf_policy_quorum(p), "none") == 0),
	              "no witness cosigned: met only for quorum none");
done:
	mf_policy_free(p);
	mf_error_dispose(&err);
}

/* Mode 1: a checkpoint against the fixed 2-of-3 policy. */
static void
one_note(const char *note, size_t len)
{
	const struct mf_note_verifier *const lv[] = {log_verifier};
	struct mf_policy_result r;
	struct mf_error err;
	size_t text_len = 0, i, valid = 0;
	uint64_t ts;
	char why[512];

	mf_error_init(&err);
	mf_policy_result_init(&r);
	if (mf_policy_check(fixed, note, len, NULL, &r, &err) == 0) {
		MF_FUZZ_CHECK(r.log_ok && r.quorum_met && r.n_valid >= 2,
		              "a passing checkpoint: log, quorum, two valid");
		MF_FUZZ_CHECK(
		    mf_note_verify(note, len, lv, 1, &text_len, &err) == 0,
		    "its log signature verifies on its own");
		for (i = 0; i < NW; i++)
			if (mf_cosig_verify_note(note, len, w_verifiers[i], &ts,
			                         &err) == 1)
				valid++;
		MF_FUZZ_CHECK(valid >= 2,
		              "two cosignatures verify on their own");
	}
	mf_policy_describe(fixed, &r, why, sizeof(why));
	MF_FUZZ_CHECK(strlen(why) < sizeof(why), "the description fits");
	mf_policy_result_dispose(&r);
	mf_error_dispose(&err);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if ((data[0] & 1) == 0)
		one_policy((const char *)data + 1, size - 1,
		           (data[0] & 2) ? MF_POLICY_QUORUM_OPTIONAL : 0);
	else
		one_note((const char *)data + 1, size - 1);
	return 0;
}
