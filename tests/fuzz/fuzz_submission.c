/*
 * libFuzzer target for what the server does with an untrusted submission
 * before any I/O: DSSE envelope parsing and PAE, payload parsing, the
 * document check (schema and semantic rules) and scoring, and rendering
 * the label of a payload that passes. Input: the request body. Seeded
 * with signed envelopes of the examples (tests/fuzz/make_corpus.sh).
 */
#include "common/json.h"
#include "envelope/dsse.h"
#include "labels/label.h"
#include "scoring/index.h"
#include "scoring/score.h"
#include "validators/document.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mf_dsse *env = NULL;
	struct mf_doc_report rep;
	struct mf_score *score = NULL;
	struct mf_error err;
	uint8_t *pae = NULL;
	size_t pae_len;
	json_t *payload = NULL, *sj = NULL;

	mf_error_init(&err);
	if (mf_dsse_parse(&env, (const char *)data, size, 1u << 20, &err) != 0)
		goto done;
	if (mf_dsse_pae(&pae, &pae_len, env->payload_type,
	                strlen(env->payload_type), env->payload,
	                env->payload_len) != 0)
		goto done;
	payload = mf_json_parse((const char *)env->payload, env->payload_len,
	                        "payload", "/payload", &err);
	if (payload == NULL)
		goto done;
	if (mf_document_check(payload, MF_DOC_ANY, &rep) == 0 &&
	    mf_doc_report_ok(&rep) && rep.type == MF_DOC_DISCLOSURE &&
	    mf_score_compute(&score, mf_index_modelfacts_v1(), payload, NULL, 0,
	                     &err) == 0) {
		struct mf_label_input in;
		struct mf_buf md = MF_BUF_INIT, html = MF_BUF_INIT;

		/* the automatic check as the one judgement, as the server
		 * gives it (publish/label_data.c) */
		sj = json_pack(
		    "[{s:s, s:s, s:s, s:s, s:s, s:i, s:n, s:n, s:o}]", "index",
		    "modelfacts-v1", "index_name", "modelfacts v1", "judge",
		    "auto", "judge_name", "modelfacts automatic check", "at",
		    "2026-01-01T00:00:00Z", "log_index", -1, "payload_sha256",
		    "source", "score", mf_score_json(score));
		memset(&in, 0, sizeof(in));
		in.disclosure = payload;
		in.judgements = sj;
		in.log_index = -1;
		mf_label_markdown(&md, &in);
		mf_label_html(&html, &in);
		mf_buf_dispose(&md);
		mf_buf_dispose(&html);
	}
	mf_doc_report_dispose(&rep);
done:
	json_decref(sj);
	mf_score_free(score);
	json_decref(payload);
	free(pae);
	mf_dsse_free(env);
	mf_error_dispose(&err);
	return 0;
}
