/*
 * Transparency indices (DESIGN.md §2): a rubric of domains, subdomains
 * and indicators, loaded from an index document (schema/index.v1.json)
 * with each indicator's rule compiled once. modelfacts-v1 is embedded in
 * the binaries; FMTI editions come from the importer.
 *
 * A loaded index is immutable, so one instance may be shared by threads.
 */
#ifndef MF_INDEX_H
#define MF_INDEX_H

#include "common/error.h"
#include "scoring/rule.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#define MF_INDEX_MODELFACTS_V1 "modelfacts-v1"

/* Strings are borrowed from the index document; valid while it lives. */
struct mf_index_indicator {
	const char *id;
	const char *name;
	const char *definition;
	size_t domain;    /* index into the domains */
	size_t subdomain; /* index into the subdomains (all domains) */
	const struct mf_rule *rule; /* NULL: only assessments can grade it */
	bool allow_na;
};

struct mf_index_subdomain {
	const char *id;
	const char *name;
	size_t domain;
};

struct mf_index_domain {
	const char *id;
	const char *name;
};

struct mf_index; /* opaque */

/*
 * Loads an index document (borrowed; the index keeps its own reference).
 * Checks what scoring relies on (unique ids, known domains/subdomains,
 * well-formed rules) and returns MF_E_SCHEMA with err's pointer at the
 * offending member, or MF_E_NOMEM.
 */
int mf_index_load(struct mf_index **out, json_t *doc, struct mf_error *err);
void mf_index_free(struct mf_index *idx);

const char *mf_index_id(const struct mf_index *idx);
const char *mf_index_name(const struct mf_index *idx);
/* The "version" or "edition" member, or NULL. */
const char *mf_index_version(const struct mf_index *idx);
/* The document it was loaded from (borrowed). */
const json_t *mf_index_document(const struct mf_index *idx);

size_t mf_index_domain_count(const struct mf_index *idx);
const struct mf_index_domain *mf_index_domain(const struct mf_index *idx,
                                              size_t i);
size_t mf_index_subdomain_count(const struct mf_index *idx);
const struct mf_index_subdomain *mf_index_subdomain(const struct mf_index *idx,
                                                    size_t i);
size_t mf_index_indicator_count(const struct mf_index *idx);
const struct mf_index_indicator *mf_index_indicator(const struct mf_index *idx,
                                                    size_t i);
/* Position of the indicator with this id, or -1. */
long mf_index_find(const struct mf_index *idx, const char *id);

/*
 * The embedded modelfacts-v1 index, loaded on first use (pthread_once)
 * and kept for the life of the process. NULL only if the embedded
 * document is broken, which the unit tests rule out.
 */
const struct mf_index *mf_index_modelfacts_v1(void);

#endif
