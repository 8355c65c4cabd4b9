/*
 * in-toto Statements v1 carrying eval results (DESIGN.md §1): the
 * Statement is the signed DSSE payload (payloadType
 * application/vnd.in-toto+json), its predicate is an eval-result
 * document. The registry checks the Statement here and then handles the
 * predicate exactly as a plain eval-result payload; the CLI wraps its
 * payloads with mf_intoto_wrap. Pure: jansson only.
 */
#ifndef MF_INTOTO_H
#define MF_INTOTO_H

#include "common/error.h"

#include <jansson.h>
#include <stddef.h>

#define MF_INTOTO_PAYLOAD_TYPE   "application/vnd.in-toto+json"
#define MF_INTOTO_STATEMENT_TYPE "https://in-toto.io/Statement/v1"
/* Ours: the predicate is a modelfacts eval-result v1 document
 * (schema/README.md). */
#define MF_INTOTO_PREDICATE_EVAL                                               \
	"https://modelfacts.dev/attestation/eval-result/v1"

/*
 * Checks a parsed Statement (borrowed) and hands back its predicate
 * (*out: borrowed from statement). Refusals, with the JSON pointer in the
 * Statement: MF_E_VALIDATION for a wrong `_type`, a missing or malformed
 * subject or predicate, or a subject that disagrees with the predicate's
 * (the Statement's one subject is named "org/model" and its
 * digest.sha256 is the disclosure the predicate's subject pins);
 * MF_E_PREDICATE_TYPE for any predicateType but ours.
 */
int mf_intoto_unwrap(json_t **out, const json_t *statement,
                     struct mf_error *err);

/*
 * The exact bytes of the Statement's top-level "predicate" value in its
 * signed text (valid JSON, parsed before): *off and *len. The registry
 * stores these bytes as the eval result's text, never a re-serialisation.
 * MF_E_BAD_JSON when there is no such member.
 */
int mf_intoto_predicate_span(const char *text, size_t n, size_t *off,
                             size_t *len, struct mf_error *err);

/*
 * Wraps an eval-result payload (borrowed) as a Statement: subject
 * [{name: "org/model", digest: {sha256: <the disclosure's hex>}}], our
 * predicateType, the payload as predicate. New reference, or NULL with
 * err set (MF_E_VALIDATION when the payload pins no disclosure).
 */
json_t *mf_intoto_wrap(const json_t *payload, struct mf_error *err);

/* Prefixes err's pointer and its details' pointers with prefix (the
 * predicate's place in the Statement). */
void mf_intoto_error_under(struct mf_error *err, const char *prefix);

#endif
