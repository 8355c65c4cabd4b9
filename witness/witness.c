/*
 * The witness's one decision (see witness.h), written from C2SP
 * tlog-witness v1.0.0's add-checkpoint: parse the request, check the
 * log's signature, compare with what was cosigned before under that
 * log's lock, cosign, store, answer. Split views found on the way are
 * written down as evidence before the refusal is answered.
 */
#include "witness/witness.h"
#include "common/diag.h"
#include "common/encoding.h"
#include "common/timeutil.h"
#include "merkle/checkpoint.h"
#include "merkle/cosignature.h"
#include "merkle/merkle.h"
#include "merkle/note.h"
#include "witness/state.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EM_DASH    "\xe2\x80\x94"
#define TEXT_PLAIN "text/plain; charset=utf-8"
#define TLOG_SIZE  "text/x.tlog.size"

struct wlog {
	char *origin;
	char hash[65]; /* hex SHA-256 of the origin */
	struct mf_note_verifier *keys[MF_WITNESS_KEYS_PER_LOG];
	size_t nkeys;
};

struct mf_witness {
	struct mf_cosigner *signer;
	char *vkey;
	char *dir;
	struct wlog *logs;
	size_t nlogs;
};

/* A parsed add-checkpoint body; note points into the body. */
struct request {
	uint64_t old;
	uint8_t proof[MF_WITNESS_MAX_PROOF][MF_MERKLE_HASH_LEN];
	size_t nproof;
	const char *note;
	size_t note_len;
};

void
mf_witness_answer_init(struct mf_witness_answer *a)
{
	a->status = 0;
	a->content_type = TEXT_PLAIN;
	mf_buf_init(&a->body, 0);
}

void
mf_witness_answer_dispose(struct mf_witness_answer *a)
{
	mf_buf_dispose(&a->body);
}

/* Sets the answer: status, content type, a formatted one-line body. */
static int answer(struct mf_witness_answer *a, unsigned status,
                  const char *ctype, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
answer(struct mf_witness_answer *a, unsigned status, const char *ctype,
       const char *fmt, ...)
{
	va_list ap;
	int rc;

	mf_buf_clear(&a->body);
	a->status = status;
	a->content_type = ctype;
	va_start(ap, fmt);
	rc = mf_buf_vprintf(&a->body, fmt, ap);
	va_end(ap);
	return rc;
}

static void
wlog_dispose(struct wlog *l)
{
	size_t i;

	free(l->origin);
	for (i = 0; i < l->nkeys; i++)
		mf_note_verifier_free(l->keys[i]);
}

void
mf_witness_free(struct mf_witness *w)
{
	size_t i;

	if (w == NULL)
		return;
	for (i = 0; i < w->nlogs; i++)
		wlog_dispose(&w->logs[i]);
	free(w->logs);
	mf_cosigner_free(w->signer);
	free(w->vkey);
	free(w->dir);
	free(w);
}

/* Adds one log key to its origin's entry (a new entry for a new origin). */
static int
add_log_key(struct mf_witness *w, const char *vkey, struct mf_error *err)
{
	struct mf_note_verifier *v = NULL;
	struct wlog *l = NULL;
	const char *origin;
	size_t i;
	int rc;

	if ((rc = mf_note_verifier_new(&v, vkey, err)) != 0)
		return rc;
	origin = mf_note_verifier_name(v);
	for (i = 0; i < w->nlogs; i++)
		if (strcmp(w->logs[i].origin, origin) == 0)
			l = &w->logs[i];
	if (l == NULL) {
		if (w->nlogs == MF_WITNESS_MAX_LOGS) {
			rc = mf_error_set(err, MF_E_BAD_PARAM, NULL,
			                  "more than %d logs",
			                  MF_WITNESS_MAX_LOGS);
			goto done;
		}
		l = &w->logs[w->nlogs];
		memset(l, 0, sizeof(*l));
		if ((l->origin = strdup(origin)) == NULL) {
			rc = mf_error_set(err, MF_E_NOMEM, NULL,
			                  "out of memory");
			goto done;
		}
		mf_witness_origin_hash(l->hash, origin);
		w->nlogs++;
	}
	for (i = 0; i < l->nkeys; i++)
		if (mf_note_verifier_hash(l->keys[i]) ==
		    mf_note_verifier_hash(v)) {
			rc = mf_error_set(err, MF_E_BAD_PARAM, NULL,
			                  "log key %s given twice", vkey);
			goto done;
		}
	if (l->nkeys == MF_WITNESS_KEYS_PER_LOG) {
		rc = mf_error_set(err, MF_E_BAD_PARAM, NULL,
		                  "more than %d keys for log %s",
		                  MF_WITNESS_KEYS_PER_LOG, origin);
		goto done;
	}
	l->keys[l->nkeys++] = v;
	v = NULL;
	rc = 0;
done:
	mf_note_verifier_free(v);
	return rc;
}

int
mf_witness_new(struct mf_witness **out, const char *skey, const char *dir,
               const char *const *log_vkeys, size_t nlogs, struct mf_error *err)
{
	struct mf_witness *w = NULL;
	struct mf_witness_state st;
	size_t i;
	int rc;

	*out = NULL;
	mf_witness_state_init(&st);
	if (nlogs == 0 || nlogs > MF_WITNESS_MAX_LOGS)
		return mf_error_set(err, MF_E_BAD_PARAM, NULL,
		                    "a witness needs 1 to %d log keys",
		                    MF_WITNESS_MAX_LOGS);
	if ((w = calloc(1, sizeof(*w))) == NULL ||
	    (w->logs = calloc(nlogs, sizeof(*w->logs))) == NULL ||
	    (w->dir = strdup(dir)) == NULL) {
		rc = mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
		goto done;
	}
	/* 1. Its own key, and the logs it knows. */
	if ((rc = mf_cosigner_new(&w->signer, skey, err)) != 0)
		goto done;
	if ((rc = mf_cosigner_verifier_key(w->signer, &w->vkey)) != 0) {
		rc = mf_error_set(err, rc, NULL, "out of memory");
		goto done;
	}
	for (i = 0; i < nlogs; i++)
		if ((rc = add_log_key(w, log_vkeys[i], err)) != 0)
			goto done;
	/* 2. Its memory: the directory, and every state it holds readable
	 * (a corrupt one stops it here, not at the first request). */
	if ((rc = mf_witness_state_prepare(dir, err)) != 0)
		goto done;
	for (i = 0; i < w->nlogs; i++) {
		if ((rc = mf_witness_state_load(&st, dir, w->logs[i].origin,
		                                err)) != 0)
			goto done;
		mf_witness_state_dispose(&st);
	}
	*out = w;
	w = NULL;
	rc = 0;
done:
	mf_witness_state_dispose(&st);
	mf_witness_free(w);
	return rc;
}

const char *
mf_witness_vkey(const struct mf_witness *w)
{
	return w->vkey;
}

const char *
mf_witness_name(const struct mf_witness *w)
{
	return mf_cosigner_name(w->signer);
}

const char *
mf_witness_dir(const struct mf_witness *w)
{
	return w->dir;
}

size_t
mf_witness_nlogs(const struct mf_witness *w)
{
	return w->nlogs;
}

const char *
mf_witness_log_origin(const struct mf_witness *w, size_t i)
{
	return i < w->nlogs ? w->logs[i].origin : NULL;
}

/* A decimal without leading zeros ("0" alone) that fits 64 bits. */
static int
parse_size(uint64_t *out, const char *s, size_t len)
{
	uint64_t v = 0;
	size_t i;

	if (len == 0 || len > 20 || (s[0] == '0' && len > 1))
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		if (v > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return 0;
}

/* One proof line: canonical padded standard base64 of 32 bytes. */
static int
parse_hash(uint8_t out[MF_MERKLE_HASH_LEN], const char *s, size_t len)
{
	uint8_t *raw = NULL;
	size_t n = 0, i;
	int ok;

	if (len != 44 || s[43] != '=' || s[42] == '=')
		return -1;
	for (i = 0; i < 43; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '+' ||
		      s[i] == '/'))
			return -1;
	if (mf_base64_decode(&raw, &n, s, len) != 0)
		return -1;
	ok = n == MF_MERKLE_HASH_LEN;
	if (ok)
		memcpy(out, raw, n);
	free(raw);
	return ok ? 0 : -1;
}

/*
 * "old N\n", up to 63 base64 hash lines, "\n", the signed checkpoint.
 * 0, or -1 with why set.
 */
static int
parse_request(struct request *r, const char *body, size_t len, const char **why)
{
	const char *p = body, *end = body + len, *nl;

	memset(r, 0, sizeof(*r));
	if (len < 4 || memcmp(body, "old ", 4) != 0) {
		*why = "the body must start with an \"old <size>\" line";
		return -1;
	}
	p += 4;
	if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL ||
	    parse_size(&r->old, p, (size_t)(nl - p)) != 0) {
		*why = "the old size must be a decimal without leading zeros";
		return -1;
	}
	for (p = nl + 1;; p = nl + 1) {
		if (p >= end ||
		    (nl = memchr(p, '\n', (size_t)(end - p))) == NULL) {
			*why = "the proof must end with an empty line";
			return -1;
		}
		if (nl == p)
			break;
		if (r->nproof == MF_WITNESS_MAX_PROOF) {
			*why = "more than 63 consistency proof lines";
			return -1;
		}
		if (parse_hash(r->proof[r->nproof], p, (size_t)(nl - p)) != 0) {
			*why = "a proof line is not the base64 of a 32-byte "
			       "hash";
			return -1;
		}
		r->nproof++;
	}
	r->note = nl + 1;
	r->note_len = (size_t)(end - r->note);
	if (r->note_len == 0) {
		*why = "no checkpoint after the empty line";
		return -1;
	}
	return 0;
}

static struct wlog *
find_log(struct mf_witness *w, const char *note, size_t len)
{
	const char *nl = memchr(note, '\n', len);
	size_t n, i;

	if (nl == NULL)
		return NULL;
	n = (size_t)(nl - note);
	for (i = 0; i < w->nlogs; i++)
		if (strlen(w->logs[i].origin) == n &&
		    memcmp(w->logs[i].origin, note, n) == 0)
			return &w->logs[i];
	return NULL;
}

/*
 * What the witness keeps and serves of a checkpoint: its text, and of its
 * signature lines those by the log's keys (verified already), then the
 * witness's own line.
 */
static int
kept_note(struct mf_buf *out, const struct wlog *l, const char *note,
          size_t len, size_t text_len, const char *cosig)
{
	const char *p, *end = note + len, *nl, *sp;
	size_t prefix = strlen(EM_DASH " "), i;
	uint8_t *raw = NULL;
	size_t n = 0;
	uint32_t id;
	int rc;

	if ((rc = mf_buf_append(out, note, text_len + 1)) != 0)
		return rc;
	for (p = note + text_len + 1; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			break;
		if ((size_t)(nl - p) <= prefix)
			continue; /* (verified lines are longer) */
		sp = memchr(p + prefix, ' ', (size_t)(nl - p - prefix));
		if (sp == NULL ||
		    (size_t)(sp - p - prefix) != strlen(l->origin) ||
		    memcmp(p + prefix, l->origin, strlen(l->origin)) != 0)
			continue;
		if (mf_base64_decode(&raw, &n, sp + 1, (size_t)(nl - sp - 1)) !=
		        0 ||
		    n < 4) {
			free(raw);
			raw = NULL;
			continue;
		}
		id = (uint32_t)raw[0] << 24 | (uint32_t)raw[1] << 16 |
		     (uint32_t)raw[2] << 8 | raw[3];
		free(raw);
		raw = NULL;
		for (i = 0; i < l->nkeys; i++)
			if (mf_note_verifier_hash(l->keys[i]) == id)
				break;
		if (i < l->nkeys &&
		    (rc = mf_buf_append(out, p, (size_t)(nl - p + 1))) != 0)
			return rc;
	}
	return mf_buf_puts(out, cosig);
}

/*
 * Writes down a split view: what it cosigned, what it was shown, and the
 * proof it was given. Failing to record is logged, never answered: the
 * refusal stands either way.
 */
static void
record_evidence(struct mf_witness *w, const struct wlog *l, const char *kind,
                const struct mf_witness_state *st, const struct request *r,
                size_t text_len)
{
	json_t *ev = NULL, *proof = NULL;
	struct mf_buf shown = MF_BUF_INIT;
	struct mf_error err;
	char when[40], b64[64];
	size_t i;

	mf_error_init(&err);
	mf_time_format_s(when, sizeof(when), mf_time_now_ms() / 1000);
	/* What it was shown, with the log's signature lines only: lines
	 * of other keys prove nothing, and would make each replay of one
	 * checkpoint new (and larger) evidence. */
	if (kept_note(&shown, l, r->note, r->note_len, text_len, "") != 0 ||
	    (proof = json_array()) == NULL)
		goto done;
	for (i = 0; i < r->nproof; i++) {
		mf_base64_encode(b64, r->proof[i], MF_MERKLE_HASH_LEN);
		if (json_array_append_new(proof, json_string(b64)) != 0)
			goto done;
	}
	ev = json_pack("{s:s, s:s, s:s, s:s%, s:s%, s:I, s:O}", "origin",
	               l->origin, "kind", kind, "recorded_at", when, "cosigned",
	               st->note, st->note_len, "presented", shown.data,
	               shown.len, "old_size", (json_int_t)r->old, "proof",
	               proof);
	if (ev == NULL)
		goto done;
	if (mf_witness_evidence_record(w->dir, ev, &err) != 0)
		mf_diag_error("witness: cannot record %s evidence for %s: %s",
		              kind, l->origin, err.message);
	else
		mf_diag_warn("witness: split view of %s (%s) recorded in "
		             "%s/evidence",
		             l->origin, kind, w->dir);
done:
	if (ev == NULL)
		mf_diag_error("witness: out of memory recording evidence");
	json_decref(ev);
	json_decref(proof);
	mf_buf_dispose(&shown);
	mf_error_dispose(&err);
}

/*
 * Under the log's lock: the checks against the stored state, then the
 * cosignature, stored before it is answered.
 */
static int
check_and_cosign(struct mf_witness *w, struct wlog *l, const struct request *r,
                 const struct mf_checkpoint *cp, size_t text_len, uint64_t now,
                 struct mf_witness_answer *a)
{
	struct mf_witness_state st;
	struct mf_buf kept = MF_BUF_INIT;
	struct mf_error err;
	char *line = NULL;
	int rc;

	mf_witness_state_init(&st);
	mf_error_init(&err);
	/* 1. What it cosigned last (an unreadable state: cosign nothing). */
	if (mf_witness_state_load(&st, w->dir, l->origin, &err) != 0) {
		mf_diag_error("witness: %s", err.message);
		rc = answer(a, 500, TEXT_PLAIN,
		            "the witness's state for this "
		            "log cannot be read\n");
		goto done;
	}
	/* 2. The same size with another root is a fork, whatever the old
	 * size line says. */
	if (st.note != NULL && cp->size == st.size &&
	    memcmp(cp->root, st.root, MF_MERKLE_HASH_LEN) != 0) {
		record_evidence(w, l, "same_size_different_root", &st, r,
		                text_len);
		if (r->old != st.size)
			rc =
			    answer(a, 409, TLOG_SIZE, "%" PRIu64 "\n", st.size);
		else
			rc = answer(a, 422, TEXT_PLAIN,
			            "the checkpoint has the size of the one "
			            "cosigned, with another root hash\n");
		goto done;
	}
	/* 2b. A smaller checkpoint after a larger one: refused below
	 * (409), and kept as a lead, not a proof: a stale retry looks the
	 * same, but a log that shows someone an older head may be hiding
	 * what came after it, and the pair lets a monitor ask the log for a
	 * consistency proof between the two. */
	if (st.note != NULL && cp->size < st.size)
		record_evidence(w, l, "smaller_after_larger", &st, r, text_len);
	/* 3. The old size must be what it holds (spec: 409 with it). */
	if (r->old != st.size) {
		rc = answer(a, 409, TLOG_SIZE, "%" PRIu64 "\n", st.size);
		goto done;
	}
	/* 4. Consistency with what it holds. */
	if (r->old == 0 || r->old == cp->size) {
		if (r->nproof != 0) {
			rc = answer(a, 422, TEXT_PLAIN,
			            "the consistency proof must be empty "
			            "when the old size is 0 or the new size\n");
			goto done;
		}
	} else if (mf_merkle_verify_consistency(
	               r->old, cp->size,
	               (const uint8_t(*)[MF_MERKLE_HASH_LEN])r->proof,
	               r->nproof, st.root, cp->root) != 0) {
		record_evidence(w, l, "inconsistent", &st, r, text_len);
		rc = answer(a, 422, TEXT_PLAIN,
		            "the consistency proof from %" PRIu64 " to %" PRIu64
		            " does not verify against the cosigned root\n",
		            r->old, cp->size);
		goto done;
	}
	/* 5. Cosign, keep, then answer: never a cosignature the state
	 * does not hold. */
	if (mf_cosig_sign(&line, w->signer, r->note, text_len, now, &err) !=
	        0 ||
	    kept_note(&kept, l, r->note, r->note_len, text_len, line) != 0 ||
	    mf_witness_state_store(w->dir, l->origin, cp->size, cp->root,
	                           kept.data, kept.len, &err) != 0) {
		mf_diag_error("witness: cannot cosign %s at %" PRIu64 ": %s",
		              l->origin, cp->size,
		              err.message[0] ? err.message : "out of memory");
		rc = answer(a, 500, TEXT_PLAIN,
		            "the witness cannot store its state\n");
		goto done;
	}
	mf_diag_info("witness: cosigned %s at size %" PRIu64, l->origin,
	             cp->size);
	rc = answer(a, 200, TEXT_PLAIN, "%s", line);
done:
	free(line);
	mf_buf_dispose(&kept);
	mf_witness_state_dispose(&st);
	mf_error_dispose(&err);
	return rc;
}

int
mf_witness_add_checkpoint(struct mf_witness *w, const char *body, size_t len,
                          uint64_t now, struct mf_witness_answer *a)
{
	struct request *r = NULL;
	struct mf_checkpoint cp;
	struct mf_error err;
	uint8_t empty[MF_MERKLE_HASH_LEN];
	const char *why = NULL;
	struct wlog *l;
	size_t text_len = 0;
	int rc, lock = -1;

	mf_checkpoint_init(&cp);
	mf_error_init(&err);
	if ((r = malloc(sizeof(*r))) == NULL) {
		rc = MF_E_NOMEM;
		goto done;
	}
	/* 1. The request's form. */
	if (len > MF_WITNESS_MAX_BODY) {
		rc = answer(a, 413, TEXT_PLAIN, "the body is too large\n");
		goto done;
	}
	if (parse_request(r, body, len, &why) != 0) {
		rc = answer(a, 400, TEXT_PLAIN, "%s\n", why);
		goto done;
	}
	/* 2. A log it knows, signed by that log's key (spec: 404, 403). */
	if ((l = find_log(w, r->note, r->note_len)) == NULL) {
		rc = answer(a, 404, TEXT_PLAIN,
		            "unknown log (the checkpoint's origin)\n");
		goto done;
	}
	rc = mf_note_verify(r->note, r->note_len,
	                    (const struct mf_note_verifier *const *)l->keys,
	                    l->nkeys, &text_len, &err);
	if (rc == MF_E_UNKNOWN_KEY || rc == MF_E_BAD_SIGNATURE) {
		rc = answer(a, 403, TEXT_PLAIN, "%s\n", err.message);
		goto done;
	}
	if (rc != 0 || mf_checkpoint_parse(&cp, r->note, text_len, &err) != 0) {
		rc = answer(a, 400, TEXT_PLAIN, "malformed checkpoint: %s\n",
		            err.message);
		goto done;
	}
	/* 3. Checks on the request alone (spec: 400, 422). */
	if (text_len > MF_COSIG_MAX_BODY) {
		rc = answer(a, 400, TEXT_PLAIN,
		            "the checkpoint is too large to cosign (its text "
		            "over %d bytes)\n",
		            MF_COSIG_MAX_BODY);
		goto done;
	}
	if (r->old > cp.size) {
		rc = answer(a, 400, TEXT_PLAIN,
		            "the old size %" PRIu64 " exceeds the checkpoint "
		            "size %" PRIu64 "\n",
		            r->old, cp.size);
		goto done;
	}
	mf_merkle_empty_root(empty);
	if (cp.size == 0 && memcmp(cp.root, empty, sizeof(empty)) != 0) {
		rc = answer(a, 422, TEXT_PLAIN,
		            "a checkpoint of size 0 must have the empty "
		            "tree's root\n");
		goto done;
	}
	/* 4. Against its state, one request per log at a time. */
	if (mf_witness_state_lock(&lock, w->dir, l->origin, &err) != 0) {
		mf_diag_error("witness: %s", err.message);
		rc = answer(a, 500, TEXT_PLAIN,
		            "the witness cannot lock its state\n");
		goto done;
	}
	rc = check_and_cosign(w, l, r, &cp, text_len, now, a);
done:
	mf_witness_state_unlock(lock);
	mf_checkpoint_dispose(&cp);
	mf_error_dispose(&err);
	free(r);
	return rc;
}

int
mf_witness_checkpoint(struct mf_witness *w, const char *origin_hash,
                      struct mf_witness_answer *a)
{
	struct mf_witness_state st;
	struct mf_error err;
	size_t i;
	int rc;

	mf_witness_state_init(&st);
	mf_error_init(&err);
	for (i = 0; i < w->nlogs; i++)
		if (strcmp(w->logs[i].hash, origin_hash) == 0)
			break;
	if (i == w->nlogs) {
		rc = answer(a, 404, TEXT_PLAIN, "unknown log\n");
		goto done;
	}
	if (mf_witness_state_load(&st, w->dir, w->logs[i].origin, &err) != 0) {
		mf_diag_error("witness: %s", err.message);
		rc = answer(a, 500, TEXT_PLAIN,
		            "the witness's state for this log cannot be "
		            "read\n");
		goto done;
	}
	if (st.note == NULL) {
		rc = answer(a, 404, TEXT_PLAIN,
		            "no checkpoint of this log cosigned yet\n");
		goto done;
	}
	mf_buf_clear(&a->body);
	a->status = 200;
	a->content_type = TEXT_PLAIN;
	rc = mf_buf_append(&a->body, st.note, st.note_len);
done:
	mf_witness_state_dispose(&st);
	mf_error_dispose(&err);
	return rc;
}
