/*
 * C2SP transparency log trust policies (c2sp.org/tlog-policy, the text of
 * C2SP/C2SP at 5ba5ee8, July 2026): which logs and witnesses a client
 * knows and how many cosignatures make a checkpoint trustworthy.
 *
 *   log <vkey> [<url>]                 the log's signed-note key (0x01);
 *                                      its key name is the log's origin
 *   witness <name> <vkey> [<url>]      a cosigner's key (0x04, Ed25519
 *                                      c2sp.org/tlog-cosignature)
 *   group <name> all|any|<k> <name>... k of the n members (witnesses or
 *                                      earlier groups) must have witnessed
 *   quorum <name>|none                 exactly one: what must witness
 *
 * Whitespace is spaces and tabs; empty lines and lines starting with '#'
 * are ignored; only tab, newline, 0x20-0x7e and 0x80-0xff may appear.
 * Names are opaque octet strings in one namespace with the predefined
 * "none"; a group or the quorum may only name what earlier lines define,
 * and a name is a group member at most once in the whole file (the spec:
 * a witness contributes in only one way). Two logs, or two witnesses,
 * with the same public key are refused, whatever their key names.
 *
 * Parsing is pure (no crypto beyond decoding the keys); mf_policy_check
 * verifies a signed checkpoint with merkle/note.h (the log) and
 * merkle/cosignature.h (the witnesses). A policy is immutable once
 * parsed; strings it returns are borrowed from it.
 */
#ifndef MF_POLICY_H
#define MF_POLICY_H

#include "common/error.h"
#include "merkle/checkpoint.h"

#include <stddef.h>
#include <stdint.h>

/* Largest policy file, and the most of each kind of line (the spec asks
 * for at least 32 of each). */
#define MF_POLICY_MAX_SIZE      65536
#define MF_POLICY_MAX_LOGS      64
#define MF_POLICY_MAX_WITNESSES 64
#define MF_POLICY_MAX_GROUPS    64

/* mf_policy_parse flags */
#define MF_POLICY_QUORUM_OPTIONAL 1 /* no quorum line: as "quorum none" */

struct mf_policy;

/*
 * Parses text[0..len) into a new policy. 0, MF_E_NOMEM, or MF_E_BAD_PARAM
 * with err->message "line N: ..." saying what is wrong (an unknown
 * keyword, a malformed or unsupported key, a duplicate key or name, an
 * undefined or reused member, a threshold outside 1..n, a missing or
 * second quorum line, a control character, a limit exceeded).
 */
int mf_policy_parse(struct mf_policy **out, const char *text, size_t len,
                    int flags, struct mf_error *err);
void mf_policy_free(struct mf_policy *p);

/* The logs, in file order. vkey is the whole key string; origin its key
 * name; url NULL when the line has none. */
size_t mf_policy_log_count(const struct mf_policy *p);
const char *mf_policy_log_vkey(const struct mf_policy *p, size_t i);
const char *mf_policy_log_origin(const struct mf_policy *p, size_t i);
const char *mf_policy_log_url(const struct mf_policy *p, size_t i);

/* The witnesses, in file order: the policy's name for it, its vkey, the
 * key name its cosignature lines carry, and its URL (NULL: none). */
size_t mf_policy_witness_count(const struct mf_policy *p);
const char *mf_policy_witness_name(const struct mf_policy *p, size_t i);
const char *mf_policy_witness_vkey(const struct mf_policy *p, size_t i);
const char *mf_policy_witness_key_name(const struct mf_policy *p, size_t i);
const char *mf_policy_witness_url(const struct mf_policy *p, size_t i);

/* The quorum's name ("none" when no cosignature is required). */
const char *mf_policy_quorum(const struct mf_policy *p);

/*
 * Pure evaluation: 1 when witnesses whose cosigned[i] is non-zero (i in
 * file order, mf_policy_witness_count entries) satisfy the quorum, else 0.
 */
int mf_policy_quorum_met(const struct mf_policy *p,
                         const unsigned char *cosigned);

/* What a checkpoint's signature lines say about one witness. */
enum mf_policy_cosig {
	MF_POLICY_MISSING = 0, /* no line with its key name and key id */
	MF_POLICY_VALID,       /* a cosignature that verifies */
	MF_POLICY_INVALID      /* its name and key id, but it does not verify */
};

struct mf_policy_result {
	int log_ok; /* 1: a known log key signed and verified */
	size_t log; /* which policy log; SIZE_MAX for the extra key */
	struct mf_checkpoint cp; /* the parsed body once log_ok */
	size_t n_witnesses;
	enum mf_policy_cosig cosig[MF_POLICY_MAX_WITNESSES];
	uint64_t timestamp[MF_POLICY_MAX_WITNESSES]; /* of VALID ones */
	size_t n_valid;
	int quorum_met;
};

void mf_policy_result_init(struct mf_policy_result *r);
void mf_policy_result_dispose(struct mf_policy_result *r);

/*
 * Checks a signed checkpoint note (c2sp.org/tlog-checkpoint with
 * c2sp.org/tlog-cosignature lines) against the policy:
 *   1. the log: signed by one of the policy's logs whose key name is the
 *      checkpoint's origin, or by extra_log_vkey (a signed-note verifier
 *      key string, e.g. a --key option; may be NULL);
 *   2. every witness's cosignature line, if any, must verify;
 *   3. the valid ones must satisfy the quorum.
 * Fills *r as far as it got (dispose it in any case). Returns 0 when all
 * three hold; MF_E_BAD_NOTE (malformed), MF_E_UNKNOWN_KEY (no known log
 * key signed), MF_E_BAD_SIGNATURE (a log signature or a cosignature does
 * not verify: a forged cosignature is an error, not a missing one),
 * MF_E_FORBIDDEN (the quorum is not met: err names the quorum, who
 * cosigned and who is missing), MF_E_BAD_KEY or MF_E_NOMEM.
 */
int mf_policy_check(const struct mf_policy *p, const char *note, size_t len,
                    const char *extra_log_vkey, struct mf_policy_result *r,
                    struct mf_error *err);

/*
 * One human-readable sentence for a result into out (NUL-terminated,
 * truncated to n): the quorum, met or not, which witnesses cosigned,
 * which are missing, which are invalid, and each group that falls short.
 */
void mf_policy_describe(const struct mf_policy *p,
                        const struct mf_policy_result *r, char *out, size_t n);

#endif
