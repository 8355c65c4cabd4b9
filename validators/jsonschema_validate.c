/*
 * Validation: walks a compiled schema over an instance. The compiled
 * schema is only read, so any number of threads may validate at once;
 * per-call state (paths, dynamic scope, errors) lives in struct vctx on
 * the caller's stack. A valid instance costs no allocation unless the
 * schema uses unevaluated* on very large objects/arrays or propertyNames.
 */
#include "validators/jsonschema_internal.h"

#include "common/buf.h"

#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Path segments, turned into JSON pointers only when an error is kept. */
struct seg {
	const char *s; /* NULL: array index */
	size_t len;
	size_t idx;
};

#define KPATH_MAX (3 * MF_SCHEMA_MAX_DEPTH + 8)
#define IPATH_MAX (MF_SCHEMA_MAX_DEPTH + 8)

struct vctx {
	bool collect; /* collect errors; false: stop at the first failure */
	bool full;    /* MF_SCHEMA_MAX_ERRORS reached */
	bool nomem;
	bool track_scope; /* the schema has $dynamicRef: keep the scope */
	unsigned quiet;   /* inside anyOf/oneOf/not/if/contains branches */
	unsigned depth, ni, nk, nscope;
	struct mf_validation *out;
	size_t cap;
	struct seg ipath[IPATH_MAX];
	struct seg kpath[KPATH_MAX];
	const struct mf_js_resource *scope[MF_SCHEMA_MAX_DEPTH + 2];
};

#define COLLECTING(c) ((c)->collect && !(c)->full)

/* ---- annotations for unevaluatedItems / unevaluatedProperties ---- */

/* Which members/items of the current instance have been evaluated. */
struct ann {
	uint64_t *bits;
	size_t n;
	bool heap;
};

#define ANN_STACK_WORDS 8 /* 512 members without malloc */

static bool
ann_init(struct vctx *c, struct ann *a, uint64_t *stack, size_t n)
{
	size_t words = (n + 63) / 64;

	a->n = n;
	a->heap = words > ANN_STACK_WORDS;
	a->bits = a->heap ? calloc(words, sizeof(uint64_t)) : stack;
	if (a->bits == NULL) {
		c->nomem = true;
		return false;
	}
	if (!a->heap)
		memset(stack, 0, words * sizeof(uint64_t));
	return true;
}

static void
ann_dispose(struct ann *a)
{
	if (a->heap)
		free(a->bits);
}

static inline void
ann_set(struct ann *a, size_t i)
{
	if (a != NULL)
		a->bits[i / 64] |= (uint64_t)1 << (i % 64);
}

static inline bool
ann_get(const struct ann *a, size_t i)
{
	return (a->bits[i / 64] >> (i % 64)) & 1;
}

static void
ann_set_all(struct ann *a)
{
	size_t i;

	if (a == NULL)
		return;
	for (i = 0; i < a->n; i++)
		ann_set(a, i);
}

static void
ann_merge(struct ann *dst, const struct ann *src)
{
	size_t i;

	if (dst == NULL)
		return;
	for (i = 0; i < (src->n + 63) / 64; i++)
		dst->bits[i] |= src->bits[i];
}

/* ---- paths ---- */

static inline void
kpush(struct vctx *c, const char *s)
{
	if (c->collect && c->nk < KPATH_MAX) {
		c->kpath[c->nk].s = s;
		c->kpath[c->nk].len = strlen(s);
	}
	c->nk += c->collect;
}

static inline void
kpush_n(struct vctx *c, const char *s, size_t len)
{
	if (c->collect && c->nk < KPATH_MAX) {
		c->kpath[c->nk].s = s;
		c->kpath[c->nk].len = len;
	}
	c->nk += c->collect;
}

static inline void
kpush_i(struct vctx *c, size_t i)
{
	if (c->collect && c->nk < KPATH_MAX) {
		c->kpath[c->nk].s = NULL;
		c->kpath[c->nk].idx = i;
	}
	c->nk += c->collect;
}

static inline void
kpop(struct vctx *c, unsigned n)
{
	if (c->collect)
		c->nk -= n;
}

static inline void
ipush(struct vctx *c, const char *s, size_t len, size_t idx)
{
	if (c->collect && c->ni < IPATH_MAX) {
		c->ipath[c->ni].s = s;
		c->ipath[c->ni].len = len;
		c->ipath[c->ni].idx = idx;
	}
	c->ni += c->collect;
}

static inline void
ipop(struct vctx *c)
{
	if (c->collect)
		c->ni--;
}

static int
put_segs(struct mf_buf *b, const struct seg *segs, unsigned n)
{
	unsigned i;
	size_t k;
	int rc = 0;

	if (n > KPATH_MAX)
		n = KPATH_MAX;
	for (i = 0; i < n && rc == 0; i++) {
		if (segs[i].s == NULL) {
			rc = mf_buf_printf(b, "/%zu", segs[i].idx);
			continue;
		}
		rc = mf_buf_putc(b, '/');
		for (k = 0; k < segs[i].len && rc == 0; k++) {
			char ch = segs[i].s[k];

			if (ch == '~')
				rc = mf_buf_puts(b, "~0");
			else if (ch == '/')
				rc = mf_buf_puts(b, "~1");
			else
				rc = mf_buf_putc(b, ch);
		}
	}
	return rc;
}

static char *
detach(struct mf_buf *b, int rc)
{
	if (rc == 0 && b->data == NULL)
		rc = mf_buf_puts(b, "");
	if (rc != 0) {
		mf_buf_dispose(b);
		return NULL;
	}
	return mf_buf_detach(b, NULL);
}

/*
 * Keeps one error about node n's keyword kw (NULL for a false schema),
 * at the current instance and evaluation paths.
 */
static void emit(struct vctx *c, const struct mf_js_node *n, const char *kw,
                 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
emit(struct vctx *c, const struct mf_js_node *n, const char *kw,
     const char *fmt, ...)
{
	struct mf_validation *v = c->out;
	struct mf_validation_error *e;
	struct mf_buf b = MF_BUF_INIT;
	char msg[512];
	va_list ap;
	int rc;

	if (!COLLECTING(c))
		return;
	if (v->count == MF_SCHEMA_MAX_ERRORS) {
		v->truncated = true;
		c->full = true;
		return;
	}
	if (v->count == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 8;

		e = realloc(v->errors, cap * sizeof(*e));
		if (e == NULL) {
			c->nomem = true;
			c->full = true;
			return;
		}
		v->errors = e;
		c->cap = cap;
	}
	e = &v->errors[v->count];
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	e->message = strdup(msg);
	e->instance_location = detach(&b, put_segs(&b, c->ipath, c->ni));
	rc = put_segs(&b, c->kpath, c->nk);
	if (rc == 0 && kw != NULL)
		rc = mf_buf_printf(&b, "/%s", kw);
	e->keyword_location = detach(&b, rc);
	rc = mf_buf_puts(&b, n->abs);
	if (rc == 0 && kw != NULL)
		rc = mf_buf_printf(&b, "/%s", kw);
	e->absolute_location = detach(&b, rc);
	v->count++;
	if (e->message == NULL || e->instance_location == NULL ||
	    e->keyword_location == NULL || e->absolute_location == NULL) {
		c->nomem = true;
		c->full = true;
	}
}

/* ---- helpers for messages ---- */

static const char *
type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "object";
	case JSON_ARRAY:
		return "array";
	case JSON_STRING:
		return "string";
	case JSON_INTEGER:
		return "integer";
	case JSON_REAL:
		return "number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "boolean";
	default:
		return "null";
	}
}

/* "string or null", in the order the schema lists them. */
static void
types_text(char *out, size_t n, const json_t *type)
{
	size_t i, len = 0,
	          count = json_is_array(type) ? json_array_size(type) : 1;

	out[0] = '\0';
	if (count == 0) {
		snprintf(out, n, "nothing (empty type list)");
		return;
	}
	for (i = 0; i < count && len < n; i++) {
		const json_t *t =
		    json_is_array(type) ? json_array_get(type, i) : type;

		len += (size_t)snprintf(out + len, n - len, "%s%s",
		                        i == 0           ? ""
		                        : i + 1 == count ? " or "
		                                         : ", ",
		                        json_string_value(t));
	}
}

static void
num_text(char *out, size_t n, long double v)
{
	if (v == floorl(v) && fabsl(v) < 1e18L)
		snprintf(out, n, "%lld", (long long)v);
	else
		snprintf(out, n, "%.15Lg", v);
}

/* ---- evaluation ---- */

static bool eval(struct vctx *c, const struct mf_js_node *n, const json_t *inst,
                 struct ann *ann);

/* Evaluates without keeping errors (for anyOf, oneOf, not, if, contains). */
static bool
eval_quiet(struct vctx *c, const struct mf_js_node *n, const json_t *inst,
           struct ann *ann)
{
	bool saved = c->collect, r;

	c->collect = false;
	c->quiet++;
	r = eval(c, n, inst, ann);
	c->quiet--;
	c->collect = saved;
	return r;
}

/* The "type" bits an instance satisfies, by json_typeof. A real with an
 * integral value is also an integer; that needs a look at the value. */
static const unsigned char type_bits[] = {
    [JSON_OBJECT] = MF_JS_T_OBJECT,
    [JSON_ARRAY] = MF_JS_T_ARRAY,
    [JSON_STRING] = MF_JS_T_STRING,
    [JSON_INTEGER] = MF_JS_T_NUMBER | MF_JS_T_INTEGER,
    [JSON_REAL] = MF_JS_T_NUMBER,
    [JSON_TRUE] = MF_JS_T_BOOLEAN,
    [JSON_FALSE] = MF_JS_T_BOOLEAN,
    [JSON_NULL] = MF_JS_T_NULL,
};

static inline bool
type_ok(unsigned types, const json_t *inst)
{
	if (types & type_bits[json_typeof(inst)])
		return true;
	return (types & MF_JS_T_INTEGER) && json_is_real(inst) &&
	       mf_js_is_integral(inst);
}

static bool
enum_ok(const struct mf_js_node *n, const json_t *inst)
{
	size_t i, size;

	if (n->enum_has_str_map && json_is_string(inst))
		return mf_js_map_get(&n->enum_str, json_string_value(inst),
		                     json_string_length(inst)) != NULL;
	size = json_array_size(n->enum_);
	for (i = 0; i < size; i++)
		if (mf_js_equal(json_array_get(n->enum_, i), inst))
			return true;
	return false;
}

static __attribute__((noinline)) void
enum_error(struct vctx *c, const struct mf_js_node *n)
{
	char *text;

	if (!COLLECTING(c))
		return;
	text = json_dumps(n->enum_, JSON_COMPACT | JSON_ENCODE_ANY);
	if (text != NULL && strlen(text) <= 200)
		emit(c, n, "enum", "must be one of %s", text);
	else
		emit(c, n, "enum", "must be one of the %zu allowed values",
		     json_array_size(n->enum_));
	free(text);
}

static bool
multiple_ok(const struct mf_js_node *n, const json_t *inst)
{
	double x, m = n->multiple_of, r, q, tol;

	if (n->multiple_of_int > 0 && json_is_integer(inst))
		return json_integer_value(inst) % n->multiple_of_int == 0;
	x = json_is_integer(inst) ? (double)json_integer_value(inst)
	                          : json_real_value(inst);
	if (!isfinite(x))
		return false;
	/* fmod is exact: an exact multiple in binary is always valid. */
	if ((r = fmod(fabs(x), m)) == 0)
		return true;
	/* Otherwise decide on the quotient, with a tolerance for decimal
	 * fractions that binary cannot represent (0.0075 / 0.0001). A
	 * quotient that overflows is not a multiple. */
	q = x / m;
	if (!isfinite(q))
		return false;
	tol = 8 * DBL_EPSILON * fmax(1.0, fabs(q));
	return fabs(q - nearbyint(q)) <= tol;
}

static __attribute__((noinline)) bool
eval_number(struct vctx *c, const struct mf_js_node *n, const json_t *inst)
{
	long double x = json_is_integer(inst)
	                    ? (long double)json_integer_value(inst)
	                    : (long double)json_real_value(inst);
	char b[64];
	bool ok = true;

#define CHECK(flag, bad, kw, text, bound)                                      \
	if ((n->has & (flag)) && (bad)) {                                      \
		num_text(b, sizeof(b), bound);                                 \
		emit(c, n, kw, text " %s", b);                                 \
		ok = false;                                                    \
		if (!COLLECTING(c))                                            \
			return false;                                          \
	}
	CHECK(MF_JS_H_MAXIMUM, x > n->maximum, "maximum", "must be at most",
	      n->maximum)
	CHECK(MF_JS_H_EX_MAXIMUM, x >= n->ex_maximum, "exclusiveMaximum",
	      "must be less than", n->ex_maximum)
	CHECK(MF_JS_H_MINIMUM, x < n->minimum, "minimum", "must be at least",
	      n->minimum)
	CHECK(MF_JS_H_EX_MINIMUM, x <= n->ex_minimum, "exclusiveMinimum",
	      "must be greater than", n->ex_minimum)
	CHECK(MF_JS_H_MULTIPLE_OF, !multiple_ok(n, inst), "multipleOf",
	      "must be a multiple of", (long double)n->multiple_of)
#undef CHECK
	return ok;
}

static __attribute__((noinline)) bool
eval_string(struct vctx *c, const struct mf_js_node *n, const json_t *inst)
{
	const char *s = json_string_value(inst);
	size_t len = json_string_length(inst), cps = (size_t)-1;
	bool ok = true;

	/* A string has at most as many code points as bytes, so the byte
	 * length often settles maxLength/minLength without counting. */
	if ((n->has & MF_JS_H_MAX_LENGTH) && len > n->max_length &&
	    (cps = mf_js_utf8_length(s, len)) > n->max_length) {
		emit(c, n, "maxLength",
		     "must be at most %zu character%s long, got %zu",
		     n->max_length, n->max_length == 1 ? "" : "s", cps);
		ok = false;
		if (!COLLECTING(c))
			return false;
	}
	/* ...and at least a quarter as many as bytes (4-byte sequences). */
	if ((n->has & MF_JS_H_MIN_LENGTH) && len / 4 < n->min_length) {
		if (cps == (size_t)-1)
			cps = mf_js_utf8_length(s, len);
		if (cps < n->min_length) {
			emit(c, n, "minLength",
			     "must be at least %zu character%s long, got %zu",
			     n->min_length, n->min_length == 1 ? "" : "s", cps);
			ok = false;
			if (!COLLECTING(c))
				return false;
		}
	}
	if (n->pattern != NULL && !mf_js_regex_search(n->pattern, s, len)) {
		emit(c, n, "pattern", "must match the pattern \"%s\"",
		     n->pattern_source);
		ok = false;
		if (!COLLECTING(c))
			return false;
	}
	if (n->format != MF_JS_FORMAT_NONE &&
	    !mf_js_format_check(n->format, s, len)) {
		static const char *const what[] = {"",
		                                   "date (YYYY-MM-DD)",
		                                   "date-time (RFC 3339)",
		                                   "URI (RFC 3986, absolute)",
		                                   "e-mail address",
		                                   "UUID"};

		emit(c, n, "format", "is not a valid %s", what[n->format]);
		ok = false;
	}
	return ok;
}

struct hashed {
	uint32_t hash;
	size_t index;
};

static int
cmp_hashed(const void *a, const void *b)
{
	const struct hashed *x = a, *y = b;

	if (x->hash != y->hash)
		return x->hash < y->hash ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

/*
 * A duplicate pair, for uniqueItems: all pairs for small arrays, pairs
 * with equal hashes for up to 256 items, and for larger arrays a sort by
 * hash (O(n log n): an array of 100,000 items must not cost 10^10 steps).
 */
static bool
find_duplicate(struct vctx *c, const json_t *arr, size_t *i_out, size_t *j_out)
{
	size_t n = json_array_size(arr), i, j;
	uint32_t h[256];
	struct hashed *hs;
	bool found = false;

	if (n <= 16) {
		for (i = 0; i < n; i++)
			for (j = i + 1; j < n; j++)
				if (mf_js_equal(json_array_get(arr, i),
				                json_array_get(arr, j))) {
					*i_out = i;
					*j_out = j;
					return true;
				}
		return false;
	}
	if (n <= 256) {
		for (i = 0; i < n; i++)
			h[i] = mf_js_value_hash(json_array_get(arr, i));
		for (i = 0; i < n; i++)
			for (j = i + 1; j < n; j++)
				if (h[i] == h[j] &&
				    mf_js_equal(json_array_get(arr, i),
				                json_array_get(arr, j))) {
					*i_out = i;
					*j_out = j;
					return true;
				}
		return false;
	}
	if ((hs = malloc(n * sizeof(*hs))) == NULL) {
		c->nomem = true;
		return false;
	}
	for (i = 0; i < n; i++) {
		hs[i].hash = mf_js_value_hash(json_array_get(arr, i));
		hs[i].index = i;
	}
	qsort(hs, n, sizeof(*hs), cmp_hashed);
	*i_out = *j_out = SIZE_MAX;
	/* Within each run of equal hashes, find the earliest equal pair. */
	for (i = 0; i < n; i++) {
		for (j = i + 1; j < n && hs[j].hash == hs[i].hash; j++) {
			if (!mf_js_equal(json_array_get(arr, hs[i].index),
			                 json_array_get(arr, hs[j].index)))
				continue;
			if (!found || hs[i].index < *i_out ||
			    (hs[i].index == *i_out && hs[j].index < *j_out)) {
				*i_out = hs[i].index;
				*j_out = hs[j].index;
			}
			found = true;
			break;
		}
	}
	free(hs);
	return found;
}

/*
 * Boolean mode only: a leaf (no recursion, no annotations) checked
 * without going through eval(); n is already the ->fast target.
 */
static inline bool
eval_leaf(struct vctx *c, const struct mf_js_node *n, const json_t *inst)
{
	unsigned ops = n->ops;

	if ((ops & MF_JS_OP_TYPE) && !type_ok(n->types, inst))
		return false;
	if ((ops & MF_JS_OP_ENUM) && !enum_ok(n, inst))
		return false;
	if ((ops & MF_JS_OP_CONST) && !mf_js_equal(n->const_, inst))
		return false;
	switch (json_typeof(inst)) {
	case JSON_INTEGER:
	case JSON_REAL:
		return !(ops & MF_JS_OP_NUMBER) || eval_number(c, n, inst);
	case JSON_STRING:
		return !(ops & MF_JS_OP_STRING) || eval_string(c, n, inst);
	default:
		return true;
	}
}

/* Boolean-mode evaluation of a child on a sub-instance. */
static inline bool
eval_child_fast(struct vctx *c, const struct mf_js_node *n, const json_t *inst)
{
	n = n->fast;
	return n->leaf ? eval_leaf(c, n, inst) : eval(c, n, inst, NULL);
}

#define FAIL()                                                                 \
	do {                                                                   \
		ok = false;                                                    \
		if (!COLLECTING(c))                                            \
			goto done;                                             \
	} while (0)

static __attribute__((noinline)) bool
eval_array(struct vctx *c, const struct mf_js_node *n, const json_t *inst,
           struct ann *a)
{
	size_t size = json_array_size(inst), i, k, count, di, dj;
	bool ok = true, r;

	if ((n->has & MF_JS_H_MAX_ITEMS) && size > n->max_items) {
		emit(c, n, "maxItems", "must have at most %zu item%s, got %zu",
		     n->max_items, n->max_items == 1 ? "" : "s", size);
		FAIL();
	}
	if ((n->has & MF_JS_H_MIN_ITEMS) && size < n->min_items) {
		emit(c, n, "minItems", "must have at least %zu item%s, got %zu",
		     n->min_items, n->min_items == 1 ? "" : "s", size);
		FAIL();
	}
	if (n->unique_items && size > 1 && find_duplicate(c, inst, &di, &dj)) {
		emit(c, n, "uniqueItems",
		     "items at index %zu and %zu are equal; items must be "
		     "unique",
		     di, dj);
		FAIL();
	}
	k = n->prefix_items.n < size ? n->prefix_items.n : size;
	for (i = 0; i < k; i++) {
		ipush(c, NULL, 0, i);
		kpush(c, n->kw_prefix);
		kpush_i(c, i);
		r = !c->collect && !c->track_scope
		        ? eval_child_fast(c, n->prefix_items.v[i],
		                          json_array_get(inst, i))
		        : eval(c, n->prefix_items.v[i], json_array_get(inst, i),
		               NULL);
		kpop(c, 2);
		ipop(c);
		ann_set(a, i);
		if (!r)
			FAIL();
	}
	if (n->items != NULL) {
		for (i = k; i < size; i++) {
			ipush(c, NULL, 0, i);
			if (n->items->kind == MF_JS_FALSE) {
				emit(c, n, n->kw_items,
				     "item %zu is not allowed (at most %zu "
				     "item%s)",
				     i, k, k == 1 ? "" : "s");
				r = false;
			} else {
				kpush(c, n->kw_items);
				r = a == NULL && !c->collect && !c->track_scope
				        ? eval_child_fast(
				              c, n->items,
				              json_array_get(inst, i))
				        : eval(c, n->items,
				               json_array_get(inst, i), NULL);
				kpop(c, 1);
			}
			ipop(c);
			ann_set(a, i);
			if (!r)
				FAIL();
		}
	}
	if (n->contains != NULL) {
		for (i = 0, count = 0; i < size; i++) {
			if (eval_quiet(c, n->contains, json_array_get(inst, i),
			               NULL)) {
				count++;
				ann_set(a, i);
				/* Enough matches and nothing more to learn. */
				if (a == NULL && count >= n->min_contains &&
				    !(n->has & MF_JS_H_MAX_CONTAINS))
					break;
			}
		}
		if (count < n->min_contains) {
			emit(c, n, "contains",
			     "must contain at least %zu item%s matching the "
			     "\"contains\" schema, found %zu",
			     n->min_contains, n->min_contains == 1 ? "" : "s",
			     count);
			FAIL();
		}
		if ((n->has & MF_JS_H_MAX_CONTAINS) &&
		    count > n->max_contains) {
			emit(c, n, "maxContains",
			     "must contain at most %zu item%s matching the "
			     "\"contains\" schema, found %zu",
			     n->max_contains, n->max_contains == 1 ? "" : "s",
			     count);
			FAIL();
		}
	}
done:
	return ok;
}

static bool
eval_property_name(struct vctx *c, const struct mf_js_node *n, const char *key,
                   size_t klen)
{
	json_t *name = json_stringn_nocheck(key, klen);
	bool r;

	if (name == NULL) {
		c->nomem = true;
		return false;
	}
	kpush(c, "propertyNames");
	r = eval(c, n->property_names, name, NULL);
	kpop(c, 1);
	json_decref(name);
	return r;
}

static __attribute__((noinline)) bool
eval_object(struct vctx *c, const struct mf_js_node *n, const json_t *inst,
            struct ann *a)
{
	size_t size = 0, i, k, found = 0;
	bool ok = true, r, matched;
	void *it;

	if (n->has & (MF_JS_H_MAX_PROPS | MF_JS_H_MIN_PROPS))
		size = json_object_size(inst);
	if (c->quiet) {
		/* In a branch that may well fail (a oneOf of a discriminated
		 * union), missing names first: the cheapest way out. */
		for (i = 0; i < n->nrequired; i++)
			if (json_object_getn(inst, n->required[i],
			                     n->required_len[i]) == NULL)
				return false;
	}
	if ((n->has & MF_JS_H_MAX_PROPS) && size > n->max_props) {
		emit(c, n, "maxProperties",
		     "must have at most %zu propert%s, got %zu", n->max_props,
		     n->max_props == 1 ? "y" : "ies", size);
		FAIL();
	}
	if ((n->has & MF_JS_H_MIN_PROPS) && size < n->min_props) {
		emit(c, n, "minProperties",
		     "must have at least %zu propert%s, got %zu", n->min_props,
		     n->min_props == 1 ? "y" : "ies", size);
		FAIL();
	}
	for (i = 0; i < n->ndep_required; i++) {
		const struct mf_js_dep_required *dr = &n->dep_required[i];

		if (json_object_getn(inst, dr->name, dr->len) == NULL)
			continue;
		for (k = 0; k < dr->n; k++) {
			if (json_object_getn(inst, dr->required[k],
			                     dr->required_len[k]) != NULL)
				continue;
			emit(c, n, n->kw_dep_required,
			     "missing property \"%s\", which is required when "
			     "\"%s\" is present",
			     dr->required[k], dr->name);
			FAIL();
		}
	}
	for (i = 0; i < n->ndep_schemas; i++) {
		const struct mf_js_dep_schema *ds = &n->dep_schemas[i];

		if (json_object_getn(inst, ds->name, ds->len) == NULL)
			continue;
		kpush(c, n->kw_dep_schemas);
		kpush_n(c, ds->name, ds->len);
		r = eval(c, ds->node, inst, a);
		kpop(c, 2);
		if (!r)
			FAIL();
	}
	if (n->nprops == 0 && n->npprops == 0 && n->additional_props == NULL &&
	    n->property_names == NULL) {
		if (c->quiet)
			goto done;
		goto required;
	}
	if (!c->collect && !c->track_scope && a == NULL && n->npprops == 0 &&
	    n->property_names == NULL) {
		/* The common case in boolean mode: no paths, no annotations,
		 * no patterns; stop at the first failure. */
		for (it = json_object_iter((json_t *)inst); it != NULL;
		     it = json_object_iter_next((json_t *)inst, it)) {
			const struct mf_js_prop *p =
			    mf_js_map_get(&n->props, json_object_iter_key(it),
			                  json_object_iter_key_len(it));

			if (p != NULL) {
				found += p->required;
				if (p->node != NULL) {
					if (!eval_child_fast(
					        c, p->node,
					        json_object_iter_value(it)))
						return false;
					continue;
				}
			}
			if (n->additional_props != NULL &&
			    !eval(c, n->additional_props,
			          json_object_iter_value(it), NULL))
				return false;
		}
		return c->quiet || found == n->nrequired_unique;
	}
	/* One pass over the instance's members serves properties,
	 * patternProperties, additionalProperties and propertyNames, and
	 * gives each member the index that annotations use. */
	for (it = json_object_iter((json_t *)inst), i = 0; it != NULL;
	     it = json_object_iter_next((json_t *)inst, it), i++) {
		const char *key = json_object_iter_key(it);
		size_t klen = json_object_iter_key_len(it);
		const json_t *val = json_object_iter_value(it);
		const struct mf_js_prop *p = NULL;

		matched = false;
		ipush(c, key, klen, 0);
		if ((p = mf_js_map_get(&n->props, key, klen)) != NULL)
			found += p->required;
		if (p != NULL && p->node != NULL) {
			matched = true;
			ann_set(a, i);
			kpush(c, "properties");
			kpush_n(c, key, klen);
			r = eval(c, p->node, val, NULL);
			kpop(c, 2);
			if (!r) {
				ipop(c);
				FAIL();
				ipush(c, key, klen, 0);
			}
		}
		for (k = 0; k < n->npprops; k++) {
			const struct mf_js_pattern_prop *pp = &n->pprops[k];

			if (!mf_js_regex_search(pp->re, key, klen))
				continue;
			matched = true;
			ann_set(a, i);
			kpush(c, "patternProperties");
			kpush(c, pp->source);
			r = eval(c, pp->node, val, NULL);
			kpop(c, 2);
			if (!r) {
				ipop(c);
				FAIL();
				ipush(c, key, klen, 0);
			}
		}
		if (!matched && n->additional_props != NULL) {
			ann_set(a, i);
			if (n->additional_props->kind == MF_JS_FALSE) {
				emit(c, n, "additionalProperties",
				     "property \"%s\" is not allowed", key);
				r = false;
			} else {
				kpush(c, "additionalProperties");
				r = eval(c, n->additional_props, val, NULL);
				kpop(c, 1);
			}
			if (!r) {
				ipop(c);
				FAIL();
				ipush(c, key, klen, 0);
			}
		}
		if (n->property_names != NULL &&
		    !eval_property_name(c, n, key, klen)) {
			ipop(c);
			FAIL();
			ipush(c, key, klen, 0);
		}
		ipop(c);
	}
	if (c->quiet || found == n->nrequired_unique)
		goto done;
required:
	/* Some required name is missing (or was not counted): say which. */
	for (i = 0; i < n->nrequired; i++) {
		if (json_object_getn(inst, n->required[i],
		                     n->required_len[i]) == NULL) {
			emit(c, n, "required",
			     "missing required property \"%s\"",
			     n->required[i]);
			FAIL();
		}
	}
done:
	return ok;
}

/* $dynamicRef: the outermost resource in the dynamic scope that has a
 * $dynamicAnchor of that name wins. */
static const struct mf_js_node *
dynamic_target(const struct vctx *c, const struct mf_js_node *n)
{
	const struct mf_js_dyn_anchor *a;
	unsigned i;

	for (i = 0; i < c->nscope; i++)
		for (a = c->scope[i]->dyn; a != NULL; a = a->next)
			if (a->node != NULL &&
			    strcmp(a->name, n->dynref_name) == 0)
				return a->node;
	return n->dynref;
}

static __attribute__((noinline)) bool
eval_unevaluated(struct vctx *c, const struct mf_js_node *n, const json_t *inst,
                 struct ann *own)
{
	bool ok = true, r;
	size_t i;

	if (json_is_object(inst)) {
		void *it = json_object_iter((json_t *)inst);

		for (i = 0; it != NULL;
		     it = json_object_iter_next((json_t *)inst, it), i++) {
			const char *key = json_object_iter_key(it);

			if (ann_get(own, i))
				continue;
			ipush(c, key, json_object_iter_key_len(it), 0);
			if (n->uneval_props->kind == MF_JS_FALSE) {
				emit(c, n, "unevaluatedProperties",
				     "property \"%s\" is not allowed "
				     "(unevaluatedProperties)",
				     key);
				r = false;
			} else {
				kpush(c, "unevaluatedProperties");
				r = eval(c, n->uneval_props,
				         json_object_iter_value(it), NULL);
				kpop(c, 1);
			}
			ipop(c);
			if (!r)
				FAIL();
		}
	} else {
		size_t size = json_array_size(inst);

		for (i = 0; i < size; i++) {
			if (ann_get(own, i))
				continue;
			ipush(c, NULL, 0, i);
			if (n->uneval_items->kind == MF_JS_FALSE) {
				emit(c, n, "unevaluatedItems",
				     "item %zu is not allowed "
				     "(unevaluatedItems)",
				     i);
				r = false;
			} else {
				kpush(c, "unevaluatedItems");
				r = eval(c, n->uneval_items,
				         json_array_get(inst, i), NULL);
				kpop(c, 1);
			}
			ipop(c);
			if (!r)
				FAIL();
		}
	}
done:
	return ok;
}

static __attribute__((noinline)) bool
eval_any_of(struct vctx *c, const struct mf_js_node *n, const json_t *inst,
            struct ann *a)
{
	size_t i, matched = 0;
	uint64_t stack[ANN_STACK_WORDS];
	struct ann t;
	bool r;

	for (i = 0; i < n->any_of.n; i++) {
		if (a == NULL) {
			if (eval_quiet(c, n->any_of.v[i], inst, NULL)) {
				matched++;
				break;
			}
			continue;
		}
		/* Every branch that passes contributes annotations. */
		if (!ann_init(c, &t, stack, a->n))
			return false;
		r = eval_quiet(c, n->any_of.v[i], inst, &t);
		if (r) {
			matched++;
			ann_merge(a, &t);
		}
		ann_dispose(&t);
	}
	if (matched > 0)
		return true;
	emit(c, n, "anyOf",
	     "must match at least one of the %zu schemas in "
	     "anyOf, but matches none",
	     n->any_of.n);
	if (COLLECTING(c)) {
		for (i = 0; i < n->any_of.n; i++) {
			kpush(c, "anyOf");
			kpush_i(c, i);
			(void)eval(c, n->any_of.v[i], inst, NULL);
			kpop(c, 2);
		}
	}
	return false;
}

static __attribute__((noinline)) bool
eval_one_of(struct vctx *c, const struct mf_js_node *n, const json_t *inst,
            struct ann *a)
{
	size_t i, matched = 0, first = 0, second = 0;
	uint64_t stack[ANN_STACK_WORDS];
	struct ann t;
	bool r;

	for (i = 0; i < n->one_of.n; i++) {
		if (a != NULL && !ann_init(c, &t, stack, a->n))
			return false;
		r = eval_quiet(c, n->one_of.v[i], inst, a ? &t : NULL);
		if (r) {
			if (matched == 0) {
				first = i;
				if (a != NULL)
					ann_merge(a, &t);
			} else if (matched == 1) {
				second = i;
			}
			matched++;
		}
		if (a != NULL)
			ann_dispose(&t);
		if (matched > 1)
			break; /* already invalid; the count is enough */
	}
	if (matched == 1)
		return true;
	if (matched > 1) {
		emit(c, n, "oneOf",
		     "must match exactly one schema in oneOf, but matches "
		     "more than one (at least schemas %zu and %zu)",
		     first, second);
		return false;
	}
	emit(c, n, "oneOf",
	     "must match exactly one of the %zu schemas in oneOf, but "
	     "matches none",
	     n->one_of.n);
	if (COLLECTING(c)) {
		for (i = 0; i < n->one_of.n; i++) {
			kpush(c, "oneOf");
			kpush_i(c, i);
			(void)eval(c, n->one_of.v[i], inst, NULL);
			kpop(c, 2);
		}
	}
	return false;
}

static __attribute__((noinline)) bool
eval_const(struct vctx *c, const struct mf_js_node *n, const json_t *inst)
{
	char *text;

	if (mf_js_equal(n->const_, inst))
		return true;
	if (!COLLECTING(c))
		return false;
	text = json_dumps(n->const_, JSON_COMPACT | JSON_ENCODE_ANY);
	if (text != NULL && strlen(text) <= 200)
		emit(c, n, "const", "must be equal to %s", text);
	else
		emit(c, n, "const", "must be equal to the constant");
	free(text);
	return false;
}

static __attribute__((noinline)) bool
eval_type_error(struct vctx *c, const struct mf_js_node *n, const json_t *inst)
{
	char want[96];

	if (!COLLECTING(c))
		return false;
	types_text(want, sizeof(want), json_object_get(n->json, "type"));
	emit(c, n, "type", "expected %s, got %s", want, type_name(inst));
	return false;
}

static __attribute__((noinline)) bool
eval_if(struct vctx *c, const struct mf_js_node *n, const json_t *inst,
        struct ann *a)
{
	uint64_t stack[ANN_STACK_WORDS];
	struct ann t;
	bool r;

	if (a != NULL && !ann_init(c, &t, stack, a->n))
		return false;
	r = eval_quiet(c, n->if_, inst, a ? &t : NULL);
	if (r && a != NULL)
		ann_merge(a, &t);
	if (a != NULL)
		ann_dispose(&t);
	if (r ? n->then_ == NULL : n->else_ == NULL)
		return true;
	kpush(c, r ? "then" : "else");
	r = eval(c, r ? n->then_ : n->else_, inst, a);
	kpop(c, 1);
	return r;
}

/* Everything but unevaluated*: the keywords of one schema object. */
static inline __attribute__((always_inline)) bool
eval_body(struct vctx *c, const struct mf_js_node *n, const json_t *inst,
          struct ann *a)
{
	unsigned ops = n->ops;
	bool ok = true, r;
	size_t i;

	if (ops & MF_JS_OP_REF) {
		kpush(c, "$ref");
		r = eval(c, n->ref, inst, a);
		kpop(c, 1);
		if (!r)
			FAIL();
	}
	if (ops & MF_JS_OP_DYNREF) {
		kpush(c, "$dynamicRef");
		r = eval(c, n->dynref_name ? dynamic_target(c, n) : n->dynref,
		         inst, a);
		kpop(c, 1);
		if (!r)
			FAIL();
	}
	if ((ops & MF_JS_OP_TYPE) && !type_ok(n->types, inst)) {
		eval_type_error(c, n, inst);
		FAIL();
	}
	if ((ops & MF_JS_OP_ENUM) && !enum_ok(n, inst)) {
		enum_error(c, n);
		FAIL();
	}
	if ((ops & MF_JS_OP_CONST) && !eval_const(c, n, inst))
		FAIL();
	switch (json_typeof(inst)) {
	case JSON_INTEGER:
	case JSON_REAL:
		if ((ops & MF_JS_OP_NUMBER) && !eval_number(c, n, inst))
			FAIL();
		break;
	case JSON_STRING:
		if ((ops & MF_JS_OP_STRING) && !eval_string(c, n, inst))
			FAIL();
		break;
	case JSON_ARRAY:
		if ((ops & MF_JS_OP_ARRAY) && !eval_array(c, n, inst, a))
			FAIL();
		break;
	case JSON_OBJECT:
		if ((ops & MF_JS_OP_OBJECT) && !eval_object(c, n, inst, a))
			FAIL();
		break;
	default:
		break;
	}
	if (!(ops & MF_JS_OP_APPLICATORS))
		goto done;
	for (i = 0; i < n->all_of.n; i++) {
		kpush(c, "allOf");
		kpush_i(c, i);
		r = eval(c, n->all_of.v[i], inst, a);
		kpop(c, 2);
		if (!r)
			FAIL();
	}
	if (n->any_of.n != 0 && !eval_any_of(c, n, inst, a))
		FAIL();
	if (n->one_of.n != 0 && !eval_one_of(c, n, inst, a))
		FAIL();
	if (n->not_ != NULL && eval_quiet(c, n->not_, inst, NULL)) {
		emit(c, n, "not", "must not match the schema in \"not\"");
		FAIL();
	}
	if (n->if_ != NULL && !eval_if(c, n, inst, a))
		FAIL();
done:
	return ok;
}

/* A node with unevaluated*: collects its own annotations first. */
static __attribute__((noinline)) bool
eval_with_ann(struct vctx *c, const struct mf_js_node *n, const json_t *inst,
              struct ann *ann)
{
	uint64_t own_stack[ANN_STACK_WORDS];
	struct ann own;
	size_t size = json_is_object(inst) ? json_object_size(inst)
	                                   : json_array_size(inst);
	bool ok;

	if (!ann_init(c, &own, own_stack, size))
		return false;
	ok = eval_body(c, n, inst, &own);
	if ((ok || COLLECTING(c)) && !eval_unevaluated(c, n, inst, &own))
		ok = false;
	/* Everything left over was evaluated by unevaluated*. */
	if (ok)
		ann_set_all(ann);
	ann_dispose(&own);
	return ok;
}

static __attribute__((noinline)) bool
eval_limit(struct vctx *c, const struct mf_js_node *n)
{
	if (n->kind == MF_JS_FALSE)
		emit(c, n, NULL,
		     "no value is allowed here (the schema is "
		     "false)");
	else
		emit(c, n, NULL,
		     "maximum evaluation depth (%d) exceeded; the schema "
		     "may contain a $ref loop",
		     MF_SCHEMA_MAX_DEPTH);
	return false;
}

static bool
eval(struct vctx *c, const struct mf_js_node *n, const json_t *inst,
     struct ann *ann)
{
	bool ok, scope_pushed = false;

	/* Without error paths or dynamic scope to keep, a schema that is
	 * only a $ref is its target (bounded, for $ref cycles). */
	if (!c->collect && !c->track_scope && ann == NULL)
		n = n->fast;
	if (n->ops & MF_JS_OP_SPECIAL) {
		if (n->kind == MF_JS_TRUE)
			return true;
		if (n->kind == MF_JS_FALSE)
			return eval_limit(c, n);
	}
	if (c->depth >= MF_SCHEMA_MAX_DEPTH)
		return eval_limit(c, n);
	c->depth++;
	if (c->track_scope &&
	    (c->nscope == 0 || c->scope[c->nscope - 1] != n->res)) {
		c->scope[c->nscope++] = n->res;
		scope_pushed = true;
	}
	if (ann != NULL &&
	    ann->n != (json_is_object(inst)  ? json_object_size(inst)
	               : json_is_array(inst) ? json_array_size(inst)
	                                     : (size_t)-1))
		ann = NULL; /* defensive: annotations are per instance */
	if ((n->ops & MF_JS_OP_SPECIAL) && n->needs_ann &&
	    ((n->uneval_props != NULL && json_is_object(inst)) ||
	     (n->uneval_items != NULL && json_is_array(inst))))
		ok = eval_with_ann(c, n, inst, ann);
	else
		ok = eval_body(c, n, inst, ann);
	if (scope_pushed)
		c->nscope--;
	c->depth--;
	return ok;
}

/* ---- entry points ---- */

void
mf_validation_dispose(struct mf_validation *v)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < v->count; i++) {
		free(v->errors[i].instance_location);
		free(v->errors[i].keyword_location);
		free(v->errors[i].absolute_location);
		free(v->errors[i].message);
	}
	free(v->errors);
	v->errors = NULL;
	v->count = 0;
	v->truncated = false;
}

static void
vctx_init(struct vctx *c, const struct mf_schema *s, struct mf_validation *out,
          bool collect)
{
	c->track_scope = s->has_dynref;
	/* Only the scalars: the path arrays are written before read. */
	c->collect = collect;
	c->full = false;
	c->nomem = false;
	c->depth = c->ni = c->nk = c->nscope = c->quiet = 0;
	c->out = out;
	c->cap = 0;
}

int
mf_schema_validate(const struct mf_schema *s, const json_t *instance,
                   struct mf_validation *out)
{
	struct vctx c;
	bool ok;

	out->errors = NULL;
	out->count = 0;
	out->truncated = false;
	if (s == NULL || instance == NULL)
		return MF_E_BAD_PARAM;
	vctx_init(&c, s, out, true);
	ok = eval(&c, s->root, instance, NULL);
	if (c.nomem) {
		mf_validation_dispose(out);
		return MF_E_NOMEM;
	}
	if (!ok && out->count == 0) {
		c.collect = true;
		emit(&c, s->root, NULL, "the instance is not valid");
	}
	return ok ? 0 : 1;
}

bool
mf_schema_is_valid(const struct mf_schema *s, const json_t *instance)
{
	struct vctx c;

	if (s == NULL || instance == NULL)
		return false;
	vctx_init(&c, s, NULL, false);
	return eval(&c, s->root, instance, NULL) && !c.nomem;
}

json_t *
mf_validation_to_json(const struct mf_validation *v)
{
	json_t *arr = json_array(), *e;
	size_t i;

	if (arr == NULL)
		return NULL;
	for (i = 0; i < v->count; i++) {
		const struct mf_validation_error *x = &v->errors[i];

		e = json_pack("{s:s, s:s, s:s, s:s}", "instanceLocation",
		              x->instance_location, "keywordLocation",
		              x->keyword_location, "absoluteKeywordLocation",
		              x->absolute_location, "error", x->message);
		if (e == NULL || json_array_append_new(arr, e) != 0) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}
