/*
 * Compiles a JSON Schema into the immutable node graph that validation
 * walks. Two passes: indexing finds every resource ($id), anchor and
 * dynamic anchor in the documents involved; then nodes are built from a
 * work queue (no recursion, so deep or cyclic $ref chains cannot exhaust
 * the stack), with every $ref resolved to its target node up front.
 */
#include "validators/jsonschema_internal.h"

#include "common/buf.h"
#include "common/json.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Deeper schema documents are refused while indexing. */
#define INDEX_MAX_DEPTH 512

struct loc {
	struct mf_js_resource *res;
	const char *ptr; /* JSON pointer from the resource root */
};

struct compiler {
	struct mf_schema *s;
	struct mf_schema_registry *reg;
	unsigned flags;
	struct mf_error *err;
	struct mf_js_map res_by_uri; /* uri -> resource */
	struct mf_js_map anchors;    /* "uri#name" -> json_t */
	struct mf_js_map regexes;    /* source -> pcre2_code */
	struct mf_js_pmap locs;      /* json_t -> struct loc */
	struct mf_js_pmap nodes;     /* json_t -> node */
	struct mf_js_pmap indexed;   /* document root -> resource */
	struct mf_js_node **queue;
	size_t qhead, qlen, qcap;
	bool has_dynref;
};

static const char *
node_ptr(const struct mf_js_node *n)
{
	const char *h = strchr(n->abs, '#');

	return h ? h + 1 : "";
}

/* Records a schema error at node n's keyword kw (may be NULL). */
static int schema_error(struct compiler *c, const struct mf_js_node *n,
                        const char *kw, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
schema_error(struct compiler *c, const struct mf_js_node *n, const char *kw,
             const char *fmt, ...)
{
	char msg[400], ptr[MF_ERROR_POINTER_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(ptr, sizeof(ptr), "%s%s%s", n ? node_ptr(n) : "",
	         kw ? "/" : "", kw ? kw : "");
	return mf_error_set(c->err, MF_E_SCHEMA, ptr,
	                    "invalid schema at %s%s%s: %s", n ? n->abs : "",
	                    kw ? "/" : "", kw ? kw : "", msg);
}

static int
hold_doc(struct compiler *c, json_t *doc)
{
	struct mf_schema *s = c->s;

	if (s->ndocs == s->docs_cap) {
		size_t cap = s->docs_cap ? s->docs_cap * 2 : 4;
		json_t **d = realloc(s->docs, cap * sizeof(*d));

		if (d == NULL)
			return MF_E_NOMEM;
		s->docs = d;
		s->docs_cap = cap;
	}
	s->docs[s->ndocs++] = json_incref(doc);
	return 0;
}

/* ---- dialects and vocabularies ---- */

static bool
uri_is(const char *uri, const char *path)
{
	/* json-schema.org over http or https, with or without "#". */
	size_t n;

	if (strncmp(uri, "https://", 8) == 0)
		uri += 8;
	else if (strncmp(uri, "http://", 7) == 0)
		uri += 7;
	else
		return false;
	n = strlen(path);
	return strncmp(uri, path, n) == 0 &&
	       (uri[n] == '\0' || (uri[n] == '#' && uri[n + 1] == '\0'));
}

static bool
standard_dialect(const char *uri, enum mf_js_dialect *d)
{
	if (uri_is(uri, "json-schema.org/draft/2020-12/schema") ||
	    uri_is(uri, "json-schema.org/draft/2019-09/schema")) {
		*d = MF_JS_2020_12;
		return true;
	}
	if (uri_is(uri, "json-schema.org/draft-07/schema") ||
	    uri_is(uri, "json-schema.org/draft-06/schema") ||
	    uri_is(uri, "json-schema.org/draft-04/schema")) {
		*d = MF_JS_DRAFT7;
		return true;
	}
	return false;
}

static int
vocab_bit(const char *uri, unsigned *bit)
{
	static const struct {
		const char *name;
		unsigned bit;
	} vocabs[] = {
	    {"core", 0},
	    {"applicator", MF_JS_V_APPLICATOR},
	    {"unevaluated", MF_JS_V_UNEVALUATED},
	    {"validation", MF_JS_V_VALIDATION},
	    {"meta-data", 0},
	    {"format-annotation", 0},
	    {"format-assertion", MF_JS_V_FORMAT_ASSERT},
	    {"content", 0},
	};
	const char *prefixes[] = {
	    "https://json-schema.org/draft/2020-12/vocab/",
	    "https://json-schema.org/draft/2019-09/vocab/"};
	size_t i, j;

	for (j = 0; j < 2; j++) {
		size_t n = strlen(prefixes[j]);

		if (strncmp(uri, prefixes[j], n) != 0)
			continue;
		for (i = 0; i < sizeof(vocabs) / sizeof(vocabs[0]); i++) {
			if (strcmp(uri + n, vocabs[i].name) == 0) {
				*bit = vocabs[i].bit;
				return 0;
			}
		}
	}
	return -1;
}

/*
 * The dialect and vocabularies named by a "$schema" value: one of the
 * standard meta-schemas, or a custom meta-schema found through the
 * registry whose "$vocabulary" we read (we do not validate the schema
 * against it).
 */
static int
schema_dialect(struct compiler *c, const char *uri, enum mf_js_dialect *d,
               unsigned *vocab)
{
	json_t *meta, *vocabs, *value;
	const char *meta_schema, *key;
	char *abs = NULL;
	const char *frag;
	int rc;

	*vocab = MF_JS_V_ALL;
	if (standard_dialect(uri, d))
		return 0;
	if ((rc = mf_js_uri_split(uri, &abs, &frag)) != 0)
		return rc;
	rc = mf_js_registry_find(c->reg, abs, &meta, c->err);
	free(abs);
	if (rc == MF_E_NOT_FOUND)
		return mf_error_set(c->err, MF_E_SCHEMA, NULL,
		                    "unknown $schema \"%s\" (not a supported "
		                    "dialect, and no such meta-schema is "
		                    "registered)",
		                    uri);
	if (rc != 0)
		return rc;
	meta_schema = mf_json_str(meta, "$schema");
	if (meta_schema == NULL || !standard_dialect(meta_schema, d))
		*d = MF_JS_2020_12;
	vocabs = json_object_get(meta, "$vocabulary");
	if (!json_is_object(vocabs))
		return 0;
	*vocab = 0;
	json_object_foreach(vocabs, key, value)
	{
		unsigned bit;

		if (vocab_bit(key, &bit) == 0)
			*vocab |= bit;
		else if (json_is_true(value))
			return mf_error_set(c->err, MF_E_SCHEMA, NULL,
			                    "meta-schema %s requires the "
			                    "unsupported vocabulary %s",
			                    uri, key);
	}
	return 0;
}

/* ---- indexing ---- */

static struct mf_js_resource *
new_resource(struct compiler *c, const char *uri, json_t *root,
             enum mf_js_dialect d, unsigned vocab)
{
	struct mf_js_resource *r;

	r = mf_js_arena_alloc(&c->s->arena, sizeof(*r));
	if (r == NULL)
		return NULL;
	r->uri = mf_js_arena_strndup(&c->s->arena, uri, strlen(uri));
	if (r->uri == NULL)
		return NULL;
	r->root = root;
	r->dialect = d;
	r->vocab = vocab;
	r->next = c->s->resources;
	c->s->resources = r;
	/* The first resource with a URI wins; duplicates are ignored. */
	if (mf_js_map_get(&c->res_by_uri, r->uri, strlen(r->uri)) == NULL &&
	    mf_js_map_put(&c->res_by_uri, r->uri, strlen(r->uri), r) != 0)
		return NULL;
	return r;
}

static int
put_loc(struct compiler *c, json_t *j, struct mf_js_resource *res,
        const char *ptr, size_t ptr_len, bool replace)
{
	struct loc *l;

	if (!replace && mf_js_pmap_get(&c->locs, j) != NULL)
		return 0;
	l = mf_js_arena_alloc(&c->s->arena, sizeof(*l));
	if (l == NULL)
		return MF_E_NOMEM;
	l->res = res;
	l->ptr = mf_js_arena_strndup(&c->s->arena, ptr, ptr_len);
	if (l->ptr == NULL)
		return MF_E_NOMEM;
	return mf_js_pmap_put(&c->locs, j, l);
}

static int
put_anchor(struct compiler *c, struct mf_js_resource *res, const char *name,
           json_t *j)
{
	size_t ul = strlen(res->uri), nl = strlen(name);
	char *key = mf_js_arena_alloc(&c->s->arena, ul + nl + 2);

	if (key == NULL)
		return MF_E_NOMEM;
	memcpy(key, res->uri, ul);
	key[ul] = '#';
	memcpy(key + ul + 1, name, nl + 1);
	if (mf_js_map_gets(&c->anchors, key) != NULL)
		return 0;
	return mf_js_map_put(&c->anchors, key, ul + nl + 1, j);
}

static int index_schema(struct compiler *c, json_t *j,
                        struct mf_js_resource *res, struct mf_buf *ptr,
                        int depth);

static int
index_child(struct compiler *c, json_t *j, struct mf_js_resource *res,
            struct mf_buf *ptr, const char *kw, const char *key, size_t index,
            int depth)
{
	size_t save = ptr->len;
	int rc;

	if ((rc = mf_json_pointer_push(ptr, kw)) != 0)
		return rc;
	if (key != NULL)
		rc = mf_json_pointer_push(ptr, key);
	else if (index != (size_t)-1)
		rc = mf_json_pointer_push_index(ptr, index);
	if (rc == 0)
		rc = index_schema(c, j, res, ptr, depth + 1);
	ptr->len = save;
	if (ptr->data != NULL)
		ptr->data[save] = '\0';
	return rc;
}

/* Keywords whose value is a schema, an array of schemas, or an object
 * of schemas, per dialect. */
static const char *const kw_single_2020[] = {"items",
                                             "additionalProperties",
                                             "propertyNames",
                                             "not",
                                             "if",
                                             "then",
                                             "else",
                                             "contains",
                                             "unevaluatedItems",
                                             "unevaluatedProperties",
                                             NULL};
static const char *const kw_array_2020[] = {"allOf", "anyOf", "oneOf",
                                            "prefixItems", NULL};
static const char *const kw_object_2020[] = {
    "$defs", "properties", "patternProperties", "dependentSchemas", NULL};
static const char *const kw_single_d7[] = {"items",
                                           "additionalItems",
                                           "additionalProperties",
                                           "propertyNames",
                                           "not",
                                           "if",
                                           "then",
                                           "else",
                                           "contains",
                                           NULL};
static const char *const kw_array_d7[] = {"allOf", "anyOf", "oneOf", "items",
                                          NULL};
static const char *const kw_object_d7[] = {
    "definitions", "properties", "patternProperties", "dependencies", NULL};

static int
index_schema(struct compiler *c, json_t *j, struct mf_js_resource *res,
             struct mf_buf *ptr, int depth)
{
	const char *const *kw;
	const char *id, *anchor;
	bool d7 = res->dialect == MF_JS_DRAFT7;
	struct mf_buf root_ptr = MF_BUF_INIT;
	int rc = 0;
	size_t i;

	if (depth > INDEX_MAX_DEPTH)
		return mf_error_set(c->err, MF_E_SCHEMA, NULL,
		                    "schema nested deeper than %d levels",
		                    INDEX_MAX_DEPTH);
	if ((rc = put_loc(c, j, res, ptr->data ? ptr->data : "", ptr->len,
	                  false)) != 0)
		return rc;
	if (!json_is_object(j))
		return 0;
	id = mf_json_str(j, "$id");
	if (d7 && json_object_get(j, "$ref") != NULL)
		id = NULL; /* draft-07: $ref hides its siblings */
	if (id != NULL && d7 && id[0] == '#') {
		/* draft-07 location-independent identifier */
		if (id[1] != '\0' && id[1] != '/' &&
		    (rc = put_anchor(c, res, id + 1, j)) != 0)
			return rc;
	} else if (id != NULL && j != res->root) {
		char *full = mf_js_uri_resolve(res->uri, id), *abs = NULL;
		const char *frag, *sch = mf_json_str(j, "$schema");
		enum mf_js_dialect d = res->dialect;
		unsigned vocab = res->vocab;
		struct mf_js_resource *nr;

		if (full == NULL || mf_js_uri_split(full, &abs, &frag) != 0) {
			free(full);
			return MF_E_NOMEM;
		}
		if (sch != NULL)
			rc = schema_dialect(c, sch, &d, &vocab);
		nr = rc == 0 ? new_resource(c, abs, j, d, vocab) : NULL;
		if (rc == 0 && nr == NULL)
			rc = MF_E_NOMEM;
		if (rc == 0 && *frag != '\0' && *frag != '/' && d7)
			rc = put_anchor(c, nr, frag, j);
		free(full);
		free(abs);
		if (rc != 0)
			return rc;
		res = nr;
		d7 = res->dialect == MF_JS_DRAFT7;
		if ((rc = put_loc(c, j, res, "", 0, true)) != 0)
			return rc;
		ptr = &root_ptr;
	}
	if (!d7) {
		anchor = mf_json_str(j, "$anchor");
		if (anchor != NULL && (rc = put_anchor(c, res, anchor, j)) != 0)
			goto done;
		anchor = mf_json_str(j, "$dynamicAnchor");
		if (anchor != NULL) {
			struct mf_js_dyn_anchor *a;

			if ((rc = put_anchor(c, res, anchor, j)) != 0)
				goto done;
			a = mf_js_arena_alloc(&c->s->arena, sizeof(*a));
			if (a == NULL) {
				rc = MF_E_NOMEM;
				goto done;
			}
			a->name = anchor;
			a->json = j;
			a->next = res->dyn;
			res->dyn = a;
		}
	}
	for (kw = d7 ? kw_single_d7 : kw_single_2020; *kw && rc == 0; kw++) {
		json_t *v = json_object_get(j, *kw);

		if (json_is_object(v) || json_is_boolean(v))
			rc = index_child(c, v, res, ptr, *kw, NULL, (size_t)-1,
			                 depth);
	}
	for (kw = d7 ? kw_array_d7 : kw_array_2020; *kw && rc == 0; kw++) {
		json_t *v = json_object_get(j, *kw);

		if (!json_is_array(v))
			continue;
		for (i = 0; i < json_array_size(v) && rc == 0; i++)
			rc = index_child(c, json_array_get(v, i), res, ptr, *kw,
			                 NULL, i, depth);
	}
	for (kw = d7 ? kw_object_d7 : kw_object_2020; *kw && rc == 0; kw++) {
		json_t *v = json_object_get(j, *kw), *sub;
		const char *key;

		if (!json_is_object(v))
			continue;
		json_object_foreach(v, key, sub)
		{
			if (!json_is_object(sub) && !json_is_boolean(sub))
				continue; /* draft-07 dependencies arrays */
			if ((rc = index_child(c, sub, res, ptr, *kw, key,
			                      (size_t)-1, depth)) != 0)
				break;
		}
	}
done:
	mf_buf_dispose(&root_ptr);
	return rc;
}

/*
 * Indexes a whole document retrieved from base (may be ""); its own $id,
 * if any, names its root resource, and base becomes an alias.
 */
static int
index_doc(struct compiler *c, json_t *doc, const char *base,
          enum mf_js_dialect d, struct mf_js_resource **out)
{
	struct mf_js_resource *r;
	struct mf_buf ptr = MF_BUF_INIT;
	const char *id = NULL, *sch = NULL, *frag;
	char *full = NULL, *abs = NULL;
	unsigned vocab = MF_JS_V_ALL;
	int rc = 0;

	*out = mf_js_pmap_get(&c->indexed, doc);
	if (*out != NULL)
		goto alias;
	if (json_is_object(doc)) {
		sch = mf_json_str(doc, "$schema");
		if (sch != NULL &&
		    (rc = schema_dialect(c, sch, &d, &vocab)) != 0)
			return rc;
		id = mf_json_str(doc, "$id");
		if (id != NULL && d == MF_JS_DRAFT7 &&
		    (id[0] == '#' || json_object_get(doc, "$ref") != NULL))
			id = NULL;
	}
	full = mf_js_uri_resolve(base, id ? id : "");
	if (full == NULL || mf_js_uri_split(full, &abs, &frag) != 0) {
		rc = MF_E_NOMEM;
		goto done;
	}
	if ((r = new_resource(c, abs, doc, d, vocab)) == NULL ||
	    mf_js_pmap_put(&c->indexed, doc, r) != 0) {
		rc = MF_E_NOMEM;
		goto done;
	}
	if ((rc = index_schema(c, doc, r, &ptr, 0)) != 0)
		goto done;
	*out = r;
alias:
	if (*base != '\0' &&
	    mf_js_map_get(&c->res_by_uri, base, strlen(base)) == NULL) {
		char *key =
		    mf_js_arena_strndup(&c->s->arena, base, strlen(base));

		if (key == NULL ||
		    mf_js_map_put(&c->res_by_uri, key, strlen(key), *out) != 0)
			rc = MF_E_NOMEM;
	}
done:
	free(full);
	free(abs);
	mf_buf_dispose(&ptr);
	return rc;
}

/* The resource at an absolute URI, loading it through the registry. */
static int
get_resource(struct compiler *c, const char *abs, enum mf_js_dialect d,
             struct mf_js_resource **out)
{
	json_t *doc;
	int rc;

	*out = mf_js_map_get(&c->res_by_uri, abs, strlen(abs));
	if (*out != NULL)
		return 0;
	if (*abs == '\0')
		return MF_E_NOT_FOUND;
	rc = mf_js_registry_find(c->reg, abs, &doc, c->err);
	if (rc != 0)
		return rc;
	if (mf_js_pmap_get(&c->indexed, doc) == NULL &&
	    (rc = hold_doc(c, doc)) != 0)
		return rc;
	return index_doc(c, doc, abs, d, out);
}

/* ---- nodes ---- */

static int
node_for(struct compiler *c, json_t *j, struct mf_js_resource *hint_res,
         const char *hint_ptr, struct mf_js_node **out)
{
	struct mf_js_node *n = mf_js_pmap_get(&c->nodes, j);
	struct loc *l;
	size_t ul, pl;
	int rc;

	if (n != NULL) {
		*out = n;
		return 0;
	}
	l = mf_js_pmap_get(&c->locs, j);
	if (l == NULL) {
		/* A $ref into a place indexing did not visit (an unknown
		 * keyword): index it now, relative to the resource. */
		struct mf_buf ptr = MF_BUF_INIT;

		rc = mf_buf_puts(&ptr, hint_ptr);
		if (rc == 0)
			rc = index_schema(c, j, hint_res, &ptr, 0);
		mf_buf_dispose(&ptr);
		if (rc != 0)
			return rc;
		l = mf_js_pmap_get(&c->locs, j);
	}
	n = mf_js_arena_alloc(&c->s->arena, sizeof(*n));
	if (n == NULL)
		return MF_E_NOMEM;
	n->json = j;
	n->res = l->res;
	mf_js_map_init(&n->props, &c->s->arena);
	ul = strlen(l->res->uri);
	pl = strlen(l->ptr);
	if ((n->abs = mf_js_arena_alloc(&c->s->arena, ul + pl + 2)) == NULL)
		return MF_E_NOMEM;
	memcpy((char *)n->abs, l->res->uri, ul);
	((char *)n->abs)[ul] = '#';
	memcpy((char *)n->abs + ul + 1, l->ptr, pl + 1);
	l->res->used = true;
	if ((rc = mf_js_pmap_put(&c->nodes, j, n)) != 0)
		return rc;
	if (c->qlen == c->qcap) {
		size_t cap = c->qcap ? c->qcap * 2 : 64;
		struct mf_js_node **q = realloc(c->queue, cap * sizeof(*q));

		if (q == NULL)
			return MF_E_NOMEM;
		c->queue = q;
		c->qcap = cap;
	}
	c->queue[c->qlen++] = n;
	*out = n;
	return 0;
}

/* Resolves ref against base; *out is the target's node. */
static int
resolve(struct compiler *c, const struct mf_js_node *from, const char *kw,
        const char *base, const char *ref, enum mf_js_dialect d,
        struct mf_js_node **out)
{
	char *full = mf_js_uri_resolve(base, ref), *abs = NULL, *dec = NULL;
	const char *frag;
	struct mf_js_resource *r;
	json_t *target = NULL;
	int rc;

	if (full == NULL || mf_js_uri_split(full, &abs, &frag) != 0) {
		rc = MF_E_NOMEM;
		goto done;
	}
	rc = get_resource(c, abs, d, &r);
	if (rc == MF_E_NOT_FOUND) {
		rc = from ? schema_error(c, from, kw,
		                         "cannot resolve \"%s\": no schema "
		                         "is known at \"%s\"",
		                         ref, abs)
		          : mf_error_set(c->err, MF_E_SCHEMA, NULL,
		                         "no schema is known at \"%s\"", abs);
		goto done;
	}
	if (rc != 0)
		goto done;
	if (*frag == '\0') {
		target = r->root;
	} else if (*frag == '/') {
		if ((dec = mf_js_percent_decode(frag)) != NULL)
			target = mf_json_pointer_get(r->root, dec);
	} else {
		size_t al = strlen(abs);
		char *key = malloc(al + strlen(frag) + 2);

		if (key == NULL) {
			rc = MF_E_NOMEM;
			goto done;
		}
		sprintf(key, "%s#%s", abs, frag);
		/* Anchors are registered under the resource's own URI,
		 * which may differ from an alias used in the reference. */
		target = mf_js_map_gets(&c->anchors, key);
		if (target == NULL && strcmp(r->uri, abs) != 0) {
			free(key);
			key = malloc(strlen(r->uri) + strlen(frag) + 2);
			if (key == NULL) {
				rc = MF_E_NOMEM;
				goto done;
			}
			sprintf(key, "%s#%s", r->uri, frag);
			target = mf_js_map_gets(&c->anchors, key);
		}
		free(key);
	}
	if (target == NULL) {
		rc = from ? schema_error(c, from, kw,
		                         "cannot resolve \"%s\": nothing at "
		                         "\"#%s\" in \"%s\"",
		                         ref, frag, abs)
		          : mf_error_set(c->err, MF_E_SCHEMA, NULL,
		                         "nothing at \"#%s\" in \"%s\"", frag,
		                         abs);
		goto done;
	}
	rc = node_for(c, target, r, *frag == '/' ? frag : "", out);
done:
	free(full);
	free(abs);
	free(dec);
	return rc;
}

/* ---- keyword parsing ---- */

static bool
get_number(const json_t *v, long double *out)
{
	if (json_is_integer(v))
		*out = (long double)json_integer_value(v);
	else if (json_is_real(v))
		*out = (long double)json_real_value(v);
	else
		return false;
	return true;
}

/* Non-negative integers (1.0 counts as 1); saturates at SIZE_MAX. */
static bool
get_count(const json_t *v, size_t *out)
{
	long double d;

	if (!get_number(v, &d) || !mf_js_is_integral(v) || d < 0)
		return false;
	*out = d >= (long double)SIZE_MAX ? SIZE_MAX : (size_t)d;
	return true;
}

static int
child(struct compiler *c, struct mf_js_node *n, json_t *v, const char *kw,
      struct mf_js_node **out)
{
	if (!json_is_object(v) && !json_is_boolean(v))
		return schema_error(c, n, kw,
		                    "must be a schema (object or boolean)");
	return node_for(c, v, n->res, "", out);
}

static int
child_array(struct compiler *c, struct mf_js_node *n, json_t *v, const char *kw,
            struct mf_js_nodes *out)
{
	size_t i;
	int rc;

	if (!json_is_array(v) || json_array_size(v) == 0)
		return schema_error(c, n, kw,
		                    "must be a non-empty array of schemas");
	out->n = json_array_size(v);
	out->v = mf_js_arena_alloc(&c->s->arena, out->n * sizeof(*out->v));
	if (out->v == NULL)
		return MF_E_NOMEM;
	for (i = 0; i < out->n; i++)
		if ((rc = child(c, n, json_array_get(v, i), kw, &out->v[i])) !=
		    0)
			return rc;
	return 0;
}

static int
compile_regex(struct compiler *c, struct mf_js_node *n, const char *kw,
              const char *src, size_t len, pcre2_code **out)
{
	char msg[200];
	int rc;

	*out = mf_js_map_get(&c->regexes, src, len);
	if (*out != NULL)
		return 0;
	rc = mf_js_regex_compile(out, src, len, msg, sizeof(msg));
	if (rc == MF_E_SCHEMA)
		return schema_error(
		    c, n, kw, "bad regular expression \"%s\": %s", src, msg);
	if (rc != 0)
		return rc;
	if (c->s->nregexes == c->s->regexes_cap) {
		size_t cap = c->s->regexes_cap ? c->s->regexes_cap * 2 : 8;
		pcre2_code **r = realloc(c->s->regexes, cap * sizeof(*r));

		if (r == NULL) {
			pcre2_code_free(*out);
			return MF_E_NOMEM;
		}
		c->s->regexes = r;
		c->s->regexes_cap = cap;
	}
	c->s->regexes[c->s->nregexes++] = *out;
	return mf_js_map_put(&c->regexes, src, len, *out);
}

/* An array of strings (required, dependentRequired values). */
static int
string_list(struct compiler *c, struct mf_js_node *n, const char *kw, json_t *v,
            const char ***names, size_t **lens, size_t *count)
{
	size_t i;

	if (!json_is_array(v))
		return schema_error(c, n, kw, "must be an array of strings");
	*count = json_array_size(v);
	*names = mf_js_arena_alloc(&c->s->arena, (*count + 1) * sizeof(char *));
	*lens = mf_js_arena_alloc(&c->s->arena, (*count + 1) * sizeof(size_t));
	if (*names == NULL || *lens == NULL)
		return MF_E_NOMEM;
	for (i = 0; i < *count; i++) {
		json_t *s = json_array_get(v, i);

		if (!json_is_string(s))
			return schema_error(c, n, kw,
			                    "must be an array of strings");
		(*names)[i] = json_string_value(s);
		(*lens)[i] = json_string_length(s);
	}
	return 0;
}

static int
parse_type(struct compiler *c, struct mf_js_node *n, json_t *v)
{
	static const struct {
		const char *name;
		unsigned bit;
	} types[] = {
	    {"null", MF_JS_T_NULL},       {"boolean", MF_JS_T_BOOLEAN},
	    {"object", MF_JS_T_OBJECT},   {"array", MF_JS_T_ARRAY},
	    {"number", MF_JS_T_NUMBER},   {"string", MF_JS_T_STRING},
	    {"integer", MF_JS_T_INTEGER},
	};
	size_t i, k, count = json_is_array(v) ? json_array_size(v) : 1;

	for (i = 0; i < count; i++) {
		json_t *t = json_is_array(v) ? json_array_get(v, i) : v;
		const char *name = json_string_value(t);

		for (k = 0; name && k < sizeof(types) / sizeof(types[0]); k++)
			if (strcmp(name, types[k].name) == 0)
				break;
		if (name == NULL || k == sizeof(types) / sizeof(types[0]))
			return schema_error(c, n, "type", "unknown type %s%s%s",
			                    name ? "\"" : "",
			                    name ? name : "(not a string)",
			                    name ? "\"" : "");
		n->types |= types[k].bit;
	}
	if (n->types == 0) /* "type": [] allows nothing */
		n->types = 1u << 7;
	return 0;
}

static int
parse_applicators(struct compiler *c, struct mf_js_node *n, bool d7)
{
	json_t *j = n->json, *v, *sub;
	const char *key;
	size_t i;
	int rc = 0;

	if ((v = json_object_get(j, "allOf")) &&
	    (rc = child_array(c, n, v, "allOf", &n->all_of)) != 0)
		return rc;
	if ((v = json_object_get(j, "anyOf")) &&
	    (rc = child_array(c, n, v, "anyOf", &n->any_of)) != 0)
		return rc;
	if ((v = json_object_get(j, "oneOf")) &&
	    (rc = child_array(c, n, v, "oneOf", &n->one_of)) != 0)
		return rc;
	if ((v = json_object_get(j, "not")) &&
	    (rc = child(c, n, v, "not", &n->not_)) != 0)
		return rc;
	if ((v = json_object_get(j, "if")) != NULL) {
		if ((rc = child(c, n, v, "if", &n->if_)) != 0)
			return rc;
		if ((v = json_object_get(j, "then")) &&
		    (rc = child(c, n, v, "then", &n->then_)) != 0)
			return rc;
		if ((v = json_object_get(j, "else")) &&
		    (rc = child(c, n, v, "else", &n->else_)) != 0)
			return rc;
	}
	/* objects */
	if ((v = json_object_get(j, "properties")) != NULL) {
		if (!json_is_object(v))
			return schema_error(c, n, "properties",
			                    "must be an object of schemas");
		for (void *it = json_object_iter(v); it;
		     it = json_object_iter_next(v, it)) {
			struct mf_js_prop *p;

			p = mf_js_arena_alloc(&c->s->arena, sizeof(*p));
			if (p == NULL)
				return MF_E_NOMEM;
			p->name = json_object_iter_key(it);
			if ((rc = child(c, n, json_object_iter_value(it),
			                "properties", &p->node)) != 0)
				return rc;
			if ((rc = mf_js_map_put(&n->props, p->name,
			                        json_object_iter_key_len(it),
			                        p)) != 0)
				return rc;
			n->nprops++;
		}
	}
	if ((v = json_object_get(j, "patternProperties")) != NULL) {
		if (!json_is_object(v))
			return schema_error(c, n, "patternProperties",
			                    "must be an object of schemas");
		n->npprops = json_object_size(v);
		n->pprops = mf_js_arena_alloc(
		    &c->s->arena, (n->npprops + 1) * sizeof(*n->pprops));
		if (n->pprops == NULL)
			return MF_E_NOMEM;
		i = 0;
		for (void *it = json_object_iter(v); it;
		     it = json_object_iter_next(v, it), i++) {
			struct mf_js_pattern_prop *pp = &n->pprops[i];

			pp->source = json_object_iter_key(it);
			if ((rc = compile_regex(
			         c, n, "patternProperties", pp->source,
			         json_object_iter_key_len(it), &pp->re)) != 0)
				return rc;
			if ((rc = child(c, n, json_object_iter_value(it),
			                "patternProperties", &pp->node)) != 0)
				return rc;
		}
	}
	if ((v = json_object_get(j, "additionalProperties")) &&
	    (rc = child(c, n, v, "additionalProperties",
	                &n->additional_props)) != 0)
		return rc;
	if ((v = json_object_get(j, "propertyNames")) &&
	    (rc = child(c, n, v, "propertyNames", &n->property_names)) != 0)
		return rc;
	v = json_object_get(j, d7 ? "dependencies" : "dependentSchemas");
	if (v != NULL) {
		n->kw_dep_schemas = d7 ? "dependencies" : "dependentSchemas";
		if (d7)
			n->kw_dep_required = "dependencies";
		if (!json_is_object(v))
			return schema_error(c, n, n->kw_dep_schemas,
			                    "must be an object");
		n->dep_schemas = mf_js_arena_alloc(&c->s->arena,
		                                   (json_object_size(v) + 1) *
		                                       sizeof(*n->dep_schemas));
		if (d7)
			n->dep_required = mf_js_arena_alloc(
			    &c->s->arena, (json_object_size(v) + 1) *
			                      sizeof(*n->dep_required));
		if (n->dep_schemas == NULL || (d7 && n->dep_required == NULL))
			return MF_E_NOMEM;
		json_object_foreach(v, key, sub)
		{
			if (d7 && json_is_array(sub)) {
				struct mf_js_dep_required *dr =
				    &n->dep_required[n->ndep_required++];

				dr->name = key;
				dr->len = strlen(key);
				if ((rc = string_list(c, n, "dependencies", sub,
				                      &dr->required,
				                      &dr->required_len,
				                      &dr->n)) != 0)
					return rc;
				continue;
			}
			struct mf_js_dep_schema *ds =
			    &n->dep_schemas[n->ndep_schemas++];

			ds->name = key;
			ds->len = strlen(key);
			if ((rc = child(c, n, sub, n->kw_dep_schemas,
			                &ds->node)) != 0)
				return rc;
		}
	}
	/* arrays */
	v = json_object_get(j, "items");
	if (d7) {
		n->kw_prefix = "items";
		n->kw_items = json_is_array(v) ? "additionalItems" : "items";
		if (json_is_array(v)) {
			n->prefix_items.n = json_array_size(v);
			if (n->prefix_items.n > 0 &&
			    (rc = child_array(c, n, v, "items",
			                      &n->prefix_items)) != 0)
				return rc;
			v = json_object_get(j, "additionalItems");
		}
		if (v != NULL &&
		    (rc = child(c, n, v, n->kw_items, &n->items)) != 0)
			return rc;
	} else {
		n->kw_prefix = "prefixItems";
		n->kw_items = "items";
		if (v != NULL && (rc = child(c, n, v, "items", &n->items)) != 0)
			return rc;
		if ((v = json_object_get(j, "prefixItems")) &&
		    (rc = child_array(c, n, v, "prefixItems",
		                      &n->prefix_items)) != 0)
			return rc;
	}
	if ((v = json_object_get(j, "contains")) != NULL) {
		if ((rc = child(c, n, v, "contains", &n->contains)) != 0)
			return rc;
		n->min_contains = 1;
	}
	return 0;
}

static int
parse_validation(struct compiler *c, struct mf_js_node *n, bool d7)
{
	json_t *j = n->json, *v, *sub;
	const char *key;
	long double num;
	size_t i;
	int rc;

	if ((v = json_object_get(j, "type")) && (rc = parse_type(c, n, v)) != 0)
		return rc;
	if ((v = json_object_get(j, "enum")) != NULL) {
		if (!json_is_array(v))
			return schema_error(c, n, "enum", "must be an array");
		n->enum_ = v;
		n->has |= MF_JS_H_ENUM;
		if (json_array_size(v) >= 8) {
			/* Long enums (licence ids, country codes...) get a
			 * hash of their strings. */
			mf_js_map_init(&n->enum_str, &c->s->arena);
			n->enum_has_str_map = true;
			for (i = 0; i < json_array_size(v); i++) {
				sub = json_array_get(v, i);
				if (json_is_string(sub) &&
				    (rc = mf_js_map_put(
				         &n->enum_str, json_string_value(sub),
				         json_string_length(sub), sub)) != 0)
					return rc;
			}
		}
	}
	if ((v = json_object_get(j, "const")) != NULL) {
		n->const_ = v;
		n->has |= MF_JS_H_CONST;
	}
#define NUMBER_KW(name, field, flag)                                           \
	if ((v = json_object_get(j, name)) != NULL) {                          \
		if (!get_number(v, &num))                                      \
			return schema_error(c, n, name, "must be a number");   \
		n->field = num;                                                \
		n->has |= flag;                                                \
	}
	NUMBER_KW("maximum", maximum, MF_JS_H_MAXIMUM)
	NUMBER_KW("minimum", minimum, MF_JS_H_MINIMUM)
	NUMBER_KW("exclusiveMaximum", ex_maximum, MF_JS_H_EX_MAXIMUM)
	NUMBER_KW("exclusiveMinimum", ex_minimum, MF_JS_H_EX_MINIMUM)
#undef NUMBER_KW
	if ((v = json_object_get(j, "multipleOf")) != NULL) {
		if (!get_number(v, &num) || !(num > 0))
			return schema_error(c, n, "multipleOf",
			                    "must be a number greater than 0");
		n->multiple_of = (double)num;
		if (json_is_integer(v))
			n->multiple_of_int = json_integer_value(v);
		n->has |= MF_JS_H_MULTIPLE_OF;
	}
#define COUNT_KW(name, field, flag)                                            \
	if ((v = json_object_get(j, name)) != NULL) {                          \
		if (!get_count(v, &n->field))                                  \
			return schema_error(c, n, name,                        \
			                    "must be a non-negative integer"); \
		n->has |= flag;                                                \
	}
	COUNT_KW("maxLength", max_length, MF_JS_H_MAX_LENGTH)
	COUNT_KW("minLength", min_length, MF_JS_H_MIN_LENGTH)
	COUNT_KW("maxItems", max_items, MF_JS_H_MAX_ITEMS)
	COUNT_KW("minItems", min_items, MF_JS_H_MIN_ITEMS)
	COUNT_KW("maxProperties", max_props, MF_JS_H_MAX_PROPS)
	COUNT_KW("minProperties", min_props, MF_JS_H_MIN_PROPS)
	if (n->contains != NULL && !d7) {
		COUNT_KW("minContains", min_contains, 0)
		COUNT_KW("maxContains", max_contains, MF_JS_H_MAX_CONTAINS)
	}
#undef COUNT_KW
	if ((v = json_object_get(j, "uniqueItems")) != NULL) {
		if (!json_is_boolean(v))
			return schema_error(c, n, "uniqueItems",
			                    "must be a boolean");
		n->unique_items = json_is_true(v);
	}
	if ((v = json_object_get(j, "pattern")) != NULL) {
		if (!json_is_string(v))
			return schema_error(c, n, "pattern",
			                    "must be a string");
		n->pattern_source = json_string_value(v);
		if ((rc = compile_regex(c, n, "pattern", n->pattern_source,
		                        json_string_length(v), &n->pattern)) !=
		    0)
			return rc;
	}
	if ((v = json_object_get(j, "required")) != NULL) {
		if ((rc = string_list(c, n, "required", v, &n->required,
		                      &n->required_len, &n->nrequired)) != 0)
			return rc;
		/* Required names join the property map, so that one pass
		 * over the instance's members also counts them. */
		for (i = 0; i < n->nrequired; i++) {
			struct mf_js_prop *p = mf_js_map_get(
			    &n->props, n->required[i], n->required_len[i]);

			if (p == NULL) {
				p = mf_js_arena_alloc(&c->s->arena, sizeof(*p));
				if (p == NULL)
					return MF_E_NOMEM;
				p->name = n->required[i];
				if ((rc = mf_js_map_put(&n->props, p->name,
				                        n->required_len[i],
				                        p)) != 0)
					return rc;
			}
			if (!p->required)
				n->nrequired_unique++;
			p->required = true;
		}
	}
	if (!d7 && (v = json_object_get(j, "dependentRequired")) != NULL) {
		if (!json_is_object(v))
			return schema_error(c, n, "dependentRequired",
			                    "must be an object");
		n->kw_dep_required = "dependentRequired";
		n->dep_required = mf_js_arena_alloc(
		    &c->s->arena,
		    (json_object_size(v) + 1) * sizeof(*n->dep_required));
		if (n->dep_required == NULL)
			return MF_E_NOMEM;
		json_object_foreach(v, key, sub)
		{
			struct mf_js_dep_required *dr =
			    &n->dep_required[n->ndep_required++];

			dr->name = key;
			dr->len = strlen(key);
			if ((rc = string_list(c, n, "dependentRequired", sub,
			                      &dr->required, &dr->required_len,
			                      &dr->n)) != 0)
				return rc;
		}
	}
	return 0;
}

static int
fill(struct compiler *c, struct mf_js_node *n)
{
	json_t *j = n->json, *v;
	const struct mf_js_resource *res = n->res;
	bool d7 = res->dialect == MF_JS_DRAFT7;
	int rc;

	if (json_is_true(j) || json_is_false(j)) {
		n->kind = json_is_true(j) ? MF_JS_TRUE : MF_JS_FALSE;
		n->ops = MF_JS_OP_SPECIAL;
		return 0;
	}
	if (!json_is_object(j))
		return schema_error(c, n, NULL,
		                    "a schema must be an object or a boolean");
	n->kind = MF_JS_SCHEMA;
	if ((v = json_object_get(j, "$ref")) != NULL) {
		if (!json_is_string(v))
			return schema_error(c, n, "$ref", "must be a string");
		if ((rc = resolve(c, n, "$ref", res->uri, json_string_value(v),
		                  res->dialect, &n->ref)) != 0)
			return rc;
		if (d7) {
			/* draft-07: the siblings of $ref are ignored */
			n->ops = MF_JS_OP_REF;
			return 0;
		}
	}
	if (!d7 && (v = json_object_get(j, "$dynamicRef")) != NULL) {
		const char *ref = json_string_value(v), *h;

		if (ref == NULL)
			return schema_error(c, n, "$dynamicRef",
			                    "must be a string");
		if ((rc = resolve(c, n, "$dynamicRef", res->uri, ref,
		                  res->dialect, &n->dynref)) != 0)
			return rc;
		/* Dynamic only when the initial target carries the same
		 * $dynamicAnchor ("bookending"); otherwise a plain $ref. */
		h = strchr(ref, '#');
		if (h != NULL && h[1] != '\0' && h[1] != '/' &&
		    json_is_object(n->dynref->json)) {
			const char *da =
			    mf_json_str(n->dynref->json, "$dynamicAnchor");

			if (da != NULL && strcmp(da, h + 1) == 0) {
				n->dynref_name = da;
				c->has_dynref = true;
			}
		}
	}
	if (res->vocab & MF_JS_V_APPLICATOR &&
	    (rc = parse_applicators(c, n, d7)) != 0)
		return rc;
	if (res->vocab & MF_JS_V_VALIDATION &&
	    (rc = parse_validation(c, n, d7)) != 0)
		return rc;
	if (!d7 && res->vocab & MF_JS_V_UNEVALUATED) {
		if ((v = json_object_get(j, "unevaluatedProperties")) &&
		    (rc = child(c, n, v, "unevaluatedProperties",
		                &n->uneval_props)) != 0)
			return rc;
		if ((v = json_object_get(j, "unevaluatedItems")) &&
		    (rc = child(c, n, v, "unevaluatedItems",
		                &n->uneval_items)) != 0)
			return rc;
		n->needs_ann = n->uneval_props || n->uneval_items;
	}
	if ((v = json_object_get(j, "format")) != NULL && json_is_string(v) &&
	    ((c->flags & MF_SCHEMA_ASSERT_FORMAT) ||
	     (d7 && (c->flags & MF_SCHEMA_ASSERT_FORMAT_DRAFT7)) ||
	     (res->vocab & MF_JS_V_FORMAT_ASSERT)))
		n->format = mf_js_format_lookup(json_string_value(v));
	/* Let validation skip every group of keywords the node lacks. */
	n->ops = (n->ref ? MF_JS_OP_REF : 0) |
	         (n->dynref ? MF_JS_OP_DYNREF : 0) |
	         (n->types ? MF_JS_OP_TYPE : 0) |
	         (n->has & MF_JS_H_ENUM ? MF_JS_OP_ENUM : 0) |
	         (n->has & MF_JS_H_CONST ? MF_JS_OP_CONST : 0) |
	         (n->has & MF_JS_H_NUMERIC ? MF_JS_OP_NUMBER : 0) |
	         (n->needs_ann ? MF_JS_OP_UNEVALUATED | MF_JS_OP_SPECIAL : 0);
	if ((n->has & (MF_JS_H_MAX_LENGTH | MF_JS_H_MIN_LENGTH)) ||
	    n->pattern != NULL || n->format != MF_JS_FORMAT_NONE)
		n->ops |= MF_JS_OP_STRING;
	if ((n->has & (MF_JS_H_MAX_PROPS | MF_JS_H_MIN_PROPS)) ||
	    n->nrequired || n->ndep_required || n->ndep_schemas || n->nprops ||
	    n->npprops || n->additional_props || n->property_names)
		n->ops |= MF_JS_OP_OBJECT;
	if ((n->has & (MF_JS_H_MAX_ITEMS | MF_JS_H_MIN_ITEMS)) ||
	    n->unique_items || n->prefix_items.n || n->items || n->contains)
		n->ops |= MF_JS_OP_ARRAY;
	if (n->all_of.n || n->any_of.n || n->one_of.n || n->not_ || n->if_)
		n->ops |= MF_JS_OP_APPLICATORS;
	return 0;
}

/* Builds nodes until the queue is empty, then the dynamic anchors of
 * every resource in use, since a $dynamicRef may land on any of them. */
static int
drain(struct compiler *c)
{
	struct mf_js_resource *r;
	struct mf_js_dyn_anchor *a;
	bool more = true;
	int rc;

	while (more) {
		while (c->qhead < c->qlen)
			if ((rc = fill(c, c->queue[c->qhead++])) != 0)
				return rc;
		more = false;
		if (!c->has_dynref)
			break;
		for (r = c->s->resources; r != NULL; r = r->next) {
			if (!r->used)
				continue;
			for (a = r->dyn; a != NULL; a = a->next) {
				if (a->node != NULL)
					continue;
				if ((rc = node_for(c, a->json, r, "",
				                   &a->node)) != 0)
					return rc;
				more = true;
			}
		}
	}
	return 0;
}

/* Shortcuts for boolean validation: $ref-only chains (bounded, for
 * cycles) and leaves. */
static void
link_fast(struct compiler *c)
{
	const unsigned leaf_ops = MF_JS_OP_TYPE | MF_JS_OP_ENUM |
	                          MF_JS_OP_CONST | MF_JS_OP_NUMBER |
	                          MF_JS_OP_STRING;
	size_t i;

	for (i = 0; i < c->qlen; i++) {
		struct mf_js_node *n = c->queue[i];
		const struct mf_js_node *t = n;
		int hops = 0;

		while (t->ops == MF_JS_OP_REF && hops++ < 16)
			t = t->ref;
		n->fast = t;
		n->leaf = n->kind == MF_JS_SCHEMA && (n->ops & ~leaf_ops) == 0;
	}
}

static void
compiler_dispose(struct compiler *c)
{
	mf_js_map_dispose(&c->res_by_uri);
	mf_js_map_dispose(&c->anchors);
	mf_js_map_dispose(&c->regexes);
	mf_js_pmap_dispose(&c->locs);
	mf_js_pmap_dispose(&c->nodes);
	mf_js_pmap_dispose(&c->indexed);
	free(c->queue);
}

static int
compile(struct mf_schema **out, struct mf_schema_registry *reg, json_t *schema,
        const char *uri, unsigned flags, struct mf_error *err)
{
	enum mf_js_dialect dialect =
	    flags & MF_SCHEMA_DEFAULT_DRAFT7 ? MF_JS_DRAFT7 : MF_JS_2020_12;
	struct compiler c;
	struct mf_js_resource *r;
	int rc;

	*out = NULL;
	memset(&c, 0, sizeof(c));
	c.reg = reg;
	c.flags = flags;
	c.err = err;
	mf_js_map_init(&c.res_by_uri, NULL);
	mf_js_map_init(&c.anchors, NULL);
	mf_js_map_init(&c.regexes, NULL);
	if ((c.s = calloc(1, sizeof(*c.s))) == NULL)
		return MF_E_NOMEM;
	c.s->flags = flags;
	if (schema != NULL) {
		if ((rc = hold_doc(&c, schema)) != 0 ||
		    (rc = index_doc(&c, schema, "", dialect, &r)) != 0 ||
		    (rc = node_for(&c, schema, r, "", &c.s->root)) != 0)
			goto done;
	} else {
		rc = resolve(&c, NULL, NULL, "", uri, dialect, &c.s->root);
		if (rc != 0)
			goto done;
	}
	rc = drain(&c);
	c.s->has_dynref = c.has_dynref;
	if (rc == 0)
		link_fast(&c);
done:
	compiler_dispose(&c);
	if (rc != 0) {
		if (err != NULL && err->code == 0)
			mf_error_set(err, rc, NULL, "cannot compile schema");
		mf_schema_free(c.s);
		return rc;
	}
	*out = c.s;
	return 0;
}

int
mf_schema_compile(struct mf_schema **out, struct mf_schema_registry *reg,
                  json_t *schema, unsigned flags, struct mf_error *err)
{
	if (schema == NULL) {
		*out = NULL;
		return mf_error_set(err, MF_E_BAD_PARAM, NULL, "no schema");
	}
	return compile(out, reg, schema, NULL, flags, err);
}

int
mf_schema_compile_uri(struct mf_schema **out, struct mf_schema_registry *reg,
                      const char *uri, unsigned flags, struct mf_error *err)
{
	if (uri == NULL) {
		*out = NULL;
		return mf_error_set(err, MF_E_BAD_PARAM, NULL, "no URI");
	}
	return compile(out, reg, NULL, uri, flags, err);
}

void
mf_schema_free(struct mf_schema *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->ndocs; i++)
		json_decref(s->docs[i]);
	for (i = 0; i < s->nregexes; i++)
		pcre2_code_free(s->regexes[i]);
	free(s->docs);
	free(s->regexes);
	mf_js_arena_dispose(&s->arena);
	free(s);
}
