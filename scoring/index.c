/*
 * Loading transparency index documents (see index.h): structure checks,
 * rule compilation, and the process-wide cached modelfacts-v1 index.
 */
#include "scoring/index.h"

#include "common/embedded.h"
#include "common/json.h"
#include "common/diag.h"
#include "common/slug.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DOMAINS    20
#define MAX_SUBDOMAINS 200
#define MAX_INDICATORS 300

struct mf_index {
	json_t *doc; /* owned reference */
	const char *id;
	const char *name;
	const char *version;
	struct mf_index_domain domains[MAX_DOMAINS];
	size_t n_domains;
	struct mf_index_subdomain subs[MAX_SUBDOMAINS];
	size_t n_subs;
	struct mf_index_indicator *inds;
	struct mf_rule **rules; /* owned, parallel to inds */
	size_t n_inds;
};

void
mf_index_free(struct mf_index *idx)
{
	size_t i;

	if (idx == NULL)
		return;
	for (i = 0; i < idx->n_inds; i++)
		mf_rule_free(idx->rules[i]);
	free(idx->rules);
	free(idx->inds);
	json_decref(idx->doc);
	free(idx);
}

static int
bad(struct mf_error *err, const char *ptr, const char *what)
{
	return mf_error_set(err, MF_E_SCHEMA, ptr, "index document, %s: %s",
	                    ptr, what);
}

/* Index ids allow dots (fmti-v1.1); otherwise they are slugs. */
static bool
index_id_ok(const char *s)
{
	size_t n;

	if (s == NULL ||
	    !((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9')))
		return false;
	for (n = 0; s[n]; n++)
		if (!((s[n] >= 'a' && s[n] <= 'z') ||
		      (s[n] >= '0' && s[n] <= '9') || s[n] == '-' ||
		      s[n] == '.') ||
		    n >= 63)
			return false;
	return true;
}

static const char *
text(const json_t *obj, const char *key)
{
	const char *s = mf_json_str(obj, key);

	return s != NULL && *s ? s : NULL;
}

static int
load_domains(struct mf_index *idx, struct mf_error *err)
{
	const json_t *domains = json_object_get(idx->doc, "domains");
	const json_t *d, *subs, *s;
	size_t i, j, k;
	char ptr[96];

	if (!json_is_array(domains) || json_array_size(domains) == 0 ||
	    json_array_size(domains) > MAX_DOMAINS)
		return bad(err, "/domains", "a list of 1-20 domains");
	json_array_foreach(domains, i, d)
	{
		struct mf_index_domain *dom = &idx->domains[i];

		snprintf(ptr, sizeof(ptr), "/domains/%zu", i);
		dom->id = text(d, "id");
		dom->name = text(d, "name");
		if (!mf_slug_valid(dom->id) || dom->name == NULL)
			return bad(err, ptr,
			           "a domain needs a slug id and a "
			           "name");
		for (k = 0; k < i; k++)
			if (strcmp(idx->domains[k].id, dom->id) == 0)
				return bad(err, ptr, "duplicate domain id");
		idx->n_domains = i + 1;
		subs = json_object_get(d, "subdomains");
		if (!json_is_array(subs) || json_array_size(subs) == 0)
			return bad(err, ptr, "a domain lists its subdomains");
		json_array_foreach(subs, j, s)
		{
			struct mf_index_subdomain *sub;

			snprintf(ptr, sizeof(ptr),
			         "/domains/%zu/subdomains/%zu", i, j);
			if (idx->n_subs == MAX_SUBDOMAINS)
				return bad(err, ptr, "too many subdomains");
			sub = &idx->subs[idx->n_subs];
			sub->id = text(s, "id");
			sub->name = text(s, "name");
			sub->domain = i;
			if (!mf_slug_valid(sub->id) || sub->name == NULL)
				return bad(err, ptr,
				           "a subdomain needs a slug "
				           "id and a name");
			for (k = 0; k < idx->n_subs; k++)
				if (idx->subs[k].domain == i &&
				    strcmp(idx->subs[k].id, sub->id) == 0)
					return bad(err, ptr,
					           "duplicate subdomain id");
			idx->n_subs++;
		}
	}
	return 0;
}

static long
find_domain(const struct mf_index *idx, const char *id)
{
	size_t i;

	for (i = 0; id != NULL && i < idx->n_domains; i++)
		if (strcmp(idx->domains[i].id, id) == 0)
			return (long)i;
	return -1;
}

static long
find_sub(const struct mf_index *idx, size_t domain, const char *id)
{
	size_t i;

	for (i = 0; id != NULL && i < idx->n_subs; i++)
		if (idx->subs[i].domain == domain &&
		    strcmp(idx->subs[i].id, id) == 0)
			return (long)i;
	return -1;
}

static int
load_indicators(struct mf_index *idx, struct mf_error *err)
{
	const json_t *list = json_object_get(idx->doc, "indicators");
	const json_t *it, *rule, *na;
	size_t i, n;
	long d, s;
	char ptr[96];
	int rc;

	if (!json_is_array(list) || (n = json_array_size(list)) == 0 ||
	    n > MAX_INDICATORS)
		return bad(err, "/indicators", "a list of 1-300 indicators");
	idx->inds = calloc(n, sizeof(*idx->inds));
	idx->rules = calloc(n, sizeof(*idx->rules));
	if (idx->inds == NULL || idx->rules == NULL)
		return mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
	json_array_foreach(list, i, it)
	{
		struct mf_index_indicator *ind = &idx->inds[i];

		snprintf(ptr, sizeof(ptr), "/indicators/%zu", i);
		ind->id = text(it, "id");
		ind->name = text(it, "name");
		ind->definition = text(it, "definition");
		if (!mf_slug_valid(ind->id) || ind->name == NULL ||
		    ind->definition == NULL)
			return bad(err, ptr,
			           "an indicator needs a slug id, a "
			           "name and a definition");
		if (mf_index_find(idx, ind->id) >= 0)
			return bad(err, ptr, "duplicate indicator id");
		if ((d = find_domain(idx, text(it, "domain"))) < 0)
			return bad(err, ptr, "unknown domain");
		if ((s = find_sub(idx, (size_t)d, text(it, "subdomain"))) < 0)
			return bad(err, ptr,
			           "unknown subdomain for its domain");
		ind->domain = (size_t)d;
		ind->subdomain = (size_t)s;
		na = json_object_get(it, "allow_not_applicable");
		if (na != NULL && !json_is_boolean(na))
			return bad(err, ptr,
			           "allow_not_applicable is a boolean");
		ind->allow_na = json_is_true(na);
		if ((rule = json_object_get(it, "rule")) != NULL) {
			char rptr[112];

			snprintf(rptr, sizeof(rptr), "%s/rule", ptr);
			rc = mf_rule_compile(&idx->rules[i], rule, rptr, err);
			if (rc != 0)
				return rc;
			ind->rule = idx->rules[i];
		}
		/* Counted as loaded only now, so mf_index_find and free see
		 * complete entries. */
		idx->n_inds = i + 1;
	}
	return 0;
}

int
mf_index_load(struct mf_index **out, json_t *doc, struct mf_error *err)
{
	struct mf_index *idx;
	int rc;

	*out = NULL;
	if (!json_is_object(doc))
		return bad(err, "", "an index document is a JSON object");
	if ((idx = calloc(1, sizeof(*idx))) == NULL)
		return mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
	idx->doc = json_incref(doc);
	idx->id = text(doc, "id");
	idx->name = text(doc, "name");
	idx->version = text(doc, "version");
	if (idx->version == NULL)
		idx->version = text(doc, "edition");
	if (!index_id_ok(idx->id)) {
		rc = bad(err, "/id", "an index id such as modelfacts-v1");
		goto done;
	}
	if (idx->name == NULL) {
		rc = bad(err, "/name", "an index has a name");
		goto done;
	}
	if ((rc = load_domains(idx, err)) != 0 ||
	    (rc = load_indicators(idx, err)) != 0)
		goto done;
	*out = idx;
	idx = NULL;
done:
	mf_index_free(idx);
	return rc;
}

const char *
mf_index_id(const struct mf_index *idx)
{
	return idx->id;
}

const char *
mf_index_name(const struct mf_index *idx)
{
	return idx->name;
}

const char *
mf_index_version(const struct mf_index *idx)
{
	return idx->version;
}

const json_t *
mf_index_document(const struct mf_index *idx)
{
	return idx->doc;
}

size_t
mf_index_domain_count(const struct mf_index *idx)
{
	return idx->n_domains;
}

const struct mf_index_domain *
mf_index_domain(const struct mf_index *idx, size_t i)
{
	return i < idx->n_domains ? &idx->domains[i] : NULL;
}

size_t
mf_index_subdomain_count(const struct mf_index *idx)
{
	return idx->n_subs;
}

const struct mf_index_subdomain *
mf_index_subdomain(const struct mf_index *idx, size_t i)
{
	return i < idx->n_subs ? &idx->subs[i] : NULL;
}

size_t
mf_index_indicator_count(const struct mf_index *idx)
{
	return idx->n_inds;
}

const struct mf_index_indicator *
mf_index_indicator(const struct mf_index *idx, size_t i)
{
	return i < idx->n_inds ? &idx->inds[i] : NULL;
}

long
mf_index_find(const struct mf_index *idx, const char *id)
{
	size_t i;

	for (i = 0; id != NULL && i < idx->n_inds; i++)
		if (strcmp(idx->inds[i].id, id) == 0)
			return (long)i;
	return -1;
}

static pthread_once_t builtin_once = PTHREAD_ONCE_INIT;
static struct mf_index *builtin;

static void
load_builtin(void)
{
	const struct mf_embedded *e =
	    mf_embedded_get("schema/indices/modelfacts-v1.json");
	struct mf_error err;
	json_t *doc;

	mf_error_init(&err);
	if (e == NULL) {
		mf_diag_error("embedded modelfacts-v1 index is missing");
		return;
	}
	doc = mf_json_parse((const char *)e->data, e->len, "modelfacts-v1",
	                    NULL, &err);
	if (doc == NULL || mf_index_load(&builtin, doc, &err) != 0)
		mf_diag_error("embedded modelfacts-v1 index: %s", err.message);
	json_decref(doc);
	mf_error_dispose(&err);
}

const struct mf_index *
mf_index_modelfacts_v1(void)
{
	pthread_once(&builtin_once, load_builtin);
	return builtin;
}
