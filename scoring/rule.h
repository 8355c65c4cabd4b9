/*
 * The indicator rule language (schema/README.md, "Rules"): a rule is
 * compiled once from its JSON form when an index is loaded, then
 * evaluated against disclosures without further parsing.
 *
 * A leaf names a field by JSON pointer. Pointers read through status
 * wrappers: a disclosed wrapper is replaced by its value; a withheld or
 * unknown field (or an absent one) fails the leaf; a not_applicable field
 * makes the leaf "not applicable". all/any combine leaves:
 *   all: not met if any child is not met, else n.a. if any is, else met;
 *   any: met if any child is met, else n.a. if any is, else not met.
 */
#ifndef MF_RULE_H
#define MF_RULE_H

#include "common/error.h"

#include <jansson.h>

enum mf_rule_result {
	MF_RULE_NOT_MET = 0,
	MF_RULE_MET,
	MF_RULE_NA, /* a field the rule needs says not_applicable */
};

struct mf_rule; /* opaque, immutable once compiled */

#define MF_RULE_TEXT_MAX 256

struct mf_rule_eval {
	enum mf_rule_result result;
	/* The field that decided the result (a prefix of the rule's pointer
	 * when a whole section is withheld). */
	char pointer[MF_RULE_TEXT_MAX];
	/* Why it is not met or not applicable; "" when met. */
	char reason[MF_RULE_TEXT_MAX];
};

/*
 * Compiles rule (borrowed) into *out. where is the JSON pointer of the
 * rule in its index document, used in error messages. Returns 0,
 * MF_E_SCHEMA (a malformed rule; err names the pointer) or MF_E_NOMEM.
 */
int mf_rule_compile(struct mf_rule **out, const json_t *rule, const char *where,
                    struct mf_error *err);
void mf_rule_free(struct mf_rule *rule);

/* Evaluates rule against a disclosure payload; fills *out, returns its
 * result. Never allocates. */
enum mf_rule_result mf_rule_eval(const struct mf_rule *rule,
                                 const json_t *disclosure,
                                 struct mf_rule_eval *out);

#endif
