/*
 * Compiles and evaluates indicator rules (see rule.h). Pointers are split
 * into tokens at compile time so evaluation only walks the document.
 */
#include "scoring/rule.h"

#include "common/buf.h"
#include "common/json.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_TOKENS     16
#define MAX_CHILDREN   20
#define MAX_RULE_DEPTH 8

enum op {
	OP_DISCLOSED,
	OP_MIN_ITEMS,
	OP_URL,
	OP_EQUALS,
	OP_IN,
	OP_CONTAINS,
	OP_STATUS_IN,
	OP_ALL,
	OP_ANY,
};

/* Field states, also the bits of a status_in mask. */
enum fstate {
	FS_DISCLOSED,
	FS_WITHHELD,
	FS_NOT_APPLICABLE,
	FS_UNKNOWN,
	FS_ABSENT,
	FS__MAX
};

static const char *const fstate_names[FS__MAX] = {
    "disclosed", "withheld", "not_applicable", "unknown", "absent"};

struct mf_rule {
	enum op op;
	char *pointer;   /* as written */
	size_t n_tokens; /* pointer split and unescaped */
	char *tokens[MAX_TOKENS];
	size_t token_end[MAX_TOKENS]; /* end of token i in pointer */
	char **with;
	size_t n_with;
	size_t min;
	json_t *operand; /* equals/in/contains: owned */
	unsigned mask;   /* status_in */
	struct mf_rule *children[MAX_CHILDREN];
	size_t n_children;
};

void
mf_rule_free(struct mf_rule *r)
{
	size_t i;

	if (r == NULL)
		return;
	free(r->pointer);
	for (i = 0; i < r->n_tokens; i++)
		free(r->tokens[i]);
	for (i = 0; i < r->n_with; i++)
		free(r->with[i]);
	free(r->with);
	json_decref(r->operand);
	for (i = 0; i < r->n_children; i++)
		mf_rule_free(r->children[i]);
	free(r);
}

static int
bad(struct mf_error *err, const char *where, const char *what)
{
	return mf_error_set(err, MF_E_SCHEMA, where, "rule at %s: %s", where,
	                    what);
}

/* Splits an RFC 6901 pointer; only non-empty tokens are allowed. */
static int
set_pointer(struct mf_rule *r, const json_t *v, const char *where,
            struct mf_error *err)
{
	const char *p = json_string_value(v), *q;
	char *tok;
	size_t n;

	if (p == NULL || p[0] != '/' || strlen(p) > 255)
		return bad(err, where,
		           "a JSON pointer such as /data/size is "
		           "required");
	if ((r->pointer = strdup(p)) == NULL)
		return MF_E_NOMEM;
	while (*p == '/') {
		p++;
		q = p + strcspn(p, "/");
		if (q == p)
			return bad(err, where, "empty pointer token");
		if (r->n_tokens == MAX_TOKENS)
			return bad(err, where, "pointer too deep");
		if ((tok = malloc((size_t)(q - p) + 1)) == NULL)
			return MF_E_NOMEM;
		for (n = 0; p < q; p++) {
			if (*p == '~') {
				if (p + 1 >= q ||
				    (p[1] != '0' && p[1] != '1')) {
					free(tok);
					return bad(err, where,
					           "bad ~ escape in pointer");
				}
				tok[n++] = p[1] == '0' ? '~' : '/';
				p++;
			} else {
				tok[n++] = *p;
			}
		}
		tok[n] = '\0';
		r->token_end[r->n_tokens] = (size_t)(q - json_string_value(v));
		r->tokens[r->n_tokens++] = tok;
	}
	return 0;
}

/* Reads [pointer, operand] pairs. */
static int
pair(const json_t *v, const json_t **ptr, const json_t **operand)
{
	if (!json_is_array(v) || json_array_size(v) != 2)
		return -1;
	*ptr = json_array_get(v, 0);
	*operand = json_array_get(v, 1);
	return 0;
}

static int compile(struct mf_rule **out, const json_t *rule, const char *where,
                   int depth, struct mf_error *err);

static int
compile_children(struct mf_rule *r, const json_t *list, const char *where,
                 const char *key, int depth, struct mf_error *err)
{
	struct mf_buf sub = MF_BUF_INIT;
	const json_t *item;
	size_t i;
	int rc = 0;

	if (!json_is_array(list) || json_array_size(list) == 0 ||
	    json_array_size(list) > MAX_CHILDREN)
		return bad(err, where, "all/any take a list of 1-20 rules");
	json_array_foreach(list, i, item)
	{
		mf_buf_clear(&sub);
		if (mf_buf_puts(&sub, where) != 0 ||
		    mf_json_pointer_push(&sub, key) != 0 ||
		    mf_json_pointer_push_index(&sub, i) != 0) {
			rc = MF_E_NOMEM;
			break;
		}
		if ((rc = compile(&r->children[r->n_children], item, sub.data,
		                  depth + 1, err)) != 0)
			break;
		r->n_children++;
	}
	mf_buf_dispose(&sub);
	return rc;
}

static int
compile(struct mf_rule **out, const json_t *rule, const char *where, int depth,
        struct mf_error *err)
{
	struct mf_rule *r;
	const json_t *v = NULL, *p, *o, *with;
	const char *key = "";
	size_t i;
	int rc;

	*out = NULL;
	if (depth > MAX_RULE_DEPTH)
		return bad(err, where, "rules nest too deeply");
	if (!json_is_object(rule))
		return bad(err, where, "a rule is a JSON object");
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return MF_E_NOMEM;
	with = json_object_get(rule, "with");
	if (json_object_size(rule) != (with != NULL ? 2u : 1u)) {
		rc = bad(err, where,
		         "a rule has exactly one operator (plus \"with\" "
		         "for disclosed)");
		goto done;
	}
	json_object_foreach((json_t *)rule, key, v)
	{
		if (strcmp(key, "with") != 0)
			break;
	}
	if (with != NULL && strcmp(key, "disclosed") != 0) {
		rc = bad(err, where, "\"with\" belongs to \"disclosed\"");
		goto done;
	}
	rc = 0;
	if (strcmp(key, "disclosed") == 0) {
		r->op = OP_DISCLOSED;
		rc = set_pointer(r, v, where, err);
		if (rc == 0 && with != NULL) {
			if (!json_is_array(with) ||
			    json_array_size(with) == 0 ||
			    json_array_size(with) > 10) {
				rc = bad(err, where,
				         "\"with\" lists 1-10 member names");
				goto done;
			}
			r->with = calloc(json_array_size(with), sizeof(char *));
			if (r->with == NULL) {
				rc = MF_E_NOMEM;
				goto done;
			}
			json_array_foreach(with, i, o)
			{
				if (!json_is_string(o) ||
				    json_string_length(o) == 0) {
					rc = bad(err, where,
					         "\"with\" lists member names");
					goto done;
				}
				if ((r->with[i] = strdup(
				         json_string_value(o))) == NULL) {
					rc = MF_E_NOMEM;
					goto done;
				}
				r->n_with++;
			}
		}
	} else if (strcmp(key, "url") == 0) {
		r->op = OP_URL;
		rc = set_pointer(r, v, where, err);
	} else if (strcmp(key, "min_items") == 0) {
		r->op = OP_MIN_ITEMS;
		if (pair(v, &p, &o) != 0 || !json_is_integer(o) ||
		    json_integer_value(o) < 1 || json_integer_value(o) > 1000) {
			rc = bad(err, where,
			         "min_items is [pointer, count 1-1000]");
			goto done;
		}
		r->min = (size_t)json_integer_value(o);
		rc = set_pointer(r, p, where, err);
	} else if (strcmp(key, "equals") == 0 || strcmp(key, "in") == 0 ||
	           strcmp(key, "contains") == 0) {
		r->op = key[0] == 'e'   ? OP_EQUALS
		        : key[0] == 'i' ? OP_IN
		                        : OP_CONTAINS;
		if (pair(v, &p, &o) != 0 ||
		    (r->op == OP_IN &&
		     (!json_is_array(o) || json_array_size(o) == 0))) {
			rc = bad(err, where,
			         "equals/contains take [pointer, value]; in "
			         "takes [pointer, [values]]");
			goto done;
		}
		r->operand = json_deep_copy(o);
		if (r->operand == NULL) {
			rc = MF_E_NOMEM;
			goto done;
		}
		rc = set_pointer(r, p, where, err);
	} else if (strcmp(key, "status_in") == 0) {
		r->op = OP_STATUS_IN;
		if (pair(v, &p, &o) != 0 || !json_is_array(o) ||
		    json_array_size(o) == 0) {
			rc = bad(err, where,
			         "status_in is [pointer, [statuses]]");
			goto done;
		}
		json_array_foreach(o, i, v)
		{
			int s;

			for (s = 0; s < FS__MAX; s++)
				if (json_is_string(v) &&
				    strcmp(json_string_value(v),
				           fstate_names[s]) == 0)
					break;
			if (s == FS__MAX) {
				rc = bad(err, where,
				         "statuses are disclosed, withheld, "
				         "not_applicable, unknown, absent");
				goto done;
			}
			r->mask |= 1u << s;
		}
		rc = set_pointer(r, p, where, err);
	} else if (strcmp(key, "all") == 0 || strcmp(key, "any") == 0) {
		r->op = key[1] == 'l' ? OP_ALL : OP_ANY;
		rc = compile_children(r, v, where, key, depth, err);
	} else {
		rc = bad(err, where, "unknown operator");
	}
done:
	if (rc != 0) {
		mf_rule_free(r);
		return rc == MF_E_NOMEM ? mf_error_set(err, MF_E_NOMEM, NULL,
		                                       "out of memory")
		                        : rc;
	}
	*out = r;
	return 0;
}

int
mf_rule_compile(struct mf_rule **out, const json_t *rule, const char *where,
                struct mf_error *err)
{
	return compile(out, rule, where != NULL ? where : "", 0, err);
}

/* ------------------------------------------------------------------ */

static enum fstate
wrapper_state(const json_t *v)
{
	const char *s;
	int i;

	if (!json_is_object(v) ||
	    (s = json_string_value(json_object_get(v, "status"))) == NULL)
		return FS__MAX; /* not a wrapper */
	for (i = 0; i < FS_ABSENT; i++)
		if (strcmp(s, fstate_names[i]) == 0)
			return (enum fstate)i;
	return FS__MAX;
}

static bool
empty(const json_t *v)
{
	return v == NULL || json_is_null(v) ||
	       (json_is_string(v) && json_string_length(v) == 0) ||
	       (json_is_array(v) && json_array_size(v) == 0) ||
	       (json_is_object(v) && json_object_size(v) == 0);
}

/* Looks through a wrapper: returns the state, and the value if any. */
static enum fstate
unwrap(const json_t **v)
{
	enum fstate st;

	if (empty(*v))
		return FS_ABSENT;
	if ((st = wrapper_state(*v)) == FS__MAX)
		return FS_DISCLOSED;
	if (st != FS_DISCLOSED)
		return st;
	*v = json_object_get(*v, "value");
	return empty(*v) ? FS_ABSENT : FS_DISCLOSED;
}

/*
 * Resolves the rule's pointer. On a non-disclosed state, *prefix_len is
 * the length of the pointer prefix that carries it (e.g. /compute for a
 * withheld section).
 */
static enum fstate
resolve(const struct mf_rule *r, const json_t *doc, const json_t **out,
        size_t *prefix_len)
{
	const json_t *cur = doc;
	enum fstate st;
	size_t i;

	*out = NULL;
	*prefix_len = 0;
	for (i = 0; i < r->n_tokens; i++) {
		if (json_is_object(cur)) {
			cur = json_object_get(cur, r->tokens[i]);
		} else if (json_is_array(cur)) {
			char *end;
			unsigned long ix = strtoul(r->tokens[i], &end, 10);

			cur = *end == '\0' ? json_array_get(cur, ix) : NULL;
		} else {
			cur = NULL;
		}
		*prefix_len = r->token_end[i];
		if ((st = unwrap(&cur)) != FS_DISCLOSED)
			return st;
	}
	*out = cur;
	*prefix_len = strlen(r->pointer);
	return FS_DISCLOSED;
}

static enum mf_rule_result finish(struct mf_rule_eval *ev,
                                  enum mf_rule_result res, const char *ptr,
                                  size_t ptr_len, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static enum mf_rule_result
finish(struct mf_rule_eval *ev, enum mf_rule_result res, const char *ptr,
       size_t ptr_len, const char *fmt, ...)
{
	va_list ap;

	ev->result = res;
	if (ptr_len >= sizeof(ev->pointer))
		ptr_len = sizeof(ev->pointer) - 1;
	memcpy(ev->pointer, ptr, ptr_len);
	ev->pointer[ptr_len] = '\0';
	va_start(ap, fmt);
	vsnprintf(ev->reason, sizeof(ev->reason), fmt, ap);
	va_end(ap);
	return res;
}

static enum mf_rule_result
state_result(const struct mf_rule *r, enum fstate st, size_t plen,
             struct mf_rule_eval *ev)
{
	const char *what = st == FS_ABSENT     ? "not disclosed (absent)"
	                   : st == FS_WITHHELD ? "withheld"
	                   : st == FS_UNKNOWN  ? "unknown to the developer"
	                                       : "marked not applicable";

	return finish(
	    ev, st == FS_NOT_APPLICABLE ? MF_RULE_NA : MF_RULE_NOT_MET,
	    r->pointer, plen, "%.*s is %s", (int)plen, r->pointer, what);
}

static bool
is_url(const json_t *v)
{
	const char *s = json_string_value(v);

	if (json_is_object(v))
		s = json_string_value(json_object_get(v, "url"));
	return s != NULL && (strncasecmp(s, "https://", 8) == 0 ||
	                     strncasecmp(s, "http://", 7) == 0);
}

/* Every member of r->with is disclosed in obj. */
static enum mf_rule_result
eval_with(const struct mf_rule *r, const json_t *obj, const char *where,
          struct mf_rule_eval *ev)
{
	enum mf_rule_result res = MF_RULE_MET;
	size_t i;

	if (!json_is_object(obj))
		return finish(ev, MF_RULE_NOT_MET, where, strlen(where),
		              "%s has no members", where);
	for (i = 0; i < r->n_with; i++) {
		const json_t *m = json_object_get(obj, r->with[i]);
		enum fstate st = unwrap(&m);

		if (st == FS_NOT_APPLICABLE) {
			if (res == MF_RULE_MET)
				finish(ev, MF_RULE_NA, where, strlen(where),
				       "%s/%s is marked not applicable", where,
				       r->with[i]);
			res = MF_RULE_NA;
		} else if (st != FS_DISCLOSED) {
			return finish(ev, MF_RULE_NOT_MET, where, strlen(where),
			              "%s has no %s%s", where, r->with[i],
			              st == FS_WITHHELD  ? " (withheld)"
			              : st == FS_UNKNOWN ? " (unknown)"
			                                 : "");
		}
	}
	return res;
}

static bool
item_matches(const json_t *item, const json_t *pattern)
{
	const char *k;
	json_t *pv;

	if (!json_is_object(pattern) || !json_is_object(item))
		return json_equal((json_t *)item, (json_t *)pattern);
	json_object_foreach((json_t *)pattern, k, pv)
	{
		if (!json_equal(json_object_get(item, k), pv))
			return false;
	}
	return true;
}

static enum mf_rule_result
eval_leaf(const struct mf_rule *r, const json_t *doc, struct mf_rule_eval *ev)
{
	const json_t *v, *item;
	size_t plen, i, n = strlen(r->pointer);
	enum fstate st = resolve(r, doc, &v, &plen);
	char where[MF_RULE_TEXT_MAX];

	if (r->op == OP_STATUS_IN) {
		if (r->mask & (1u << st))
			return finish(ev, MF_RULE_MET, r->pointer, plen, "%s",
			              "");
		if (st == FS_NOT_APPLICABLE)
			return state_result(r, st, plen, ev);
		return finish(ev, MF_RULE_NOT_MET, r->pointer, plen,
		              "%.*s is %s", (int)plen, r->pointer,
		              fstate_names[st]);
	}
	if (st != FS_DISCLOSED)
		return state_result(r, st, plen, ev);
	switch (r->op) {
	case OP_DISCLOSED:
		if (r->n_with == 0)
			break;
		if (json_is_array(v)) {
			enum mf_rule_result res = MF_RULE_MET, x;

			json_array_foreach(v, i, item)
			{
				snprintf(where, sizeof(where), "%s/%zu",
				         r->pointer, i);
				x = eval_with(r, item, where, ev);
				if (x == MF_RULE_NOT_MET)
					return x;
				if (x == MF_RULE_NA)
					res = x;
			}
			if (res == MF_RULE_NA)
				return res;
			break;
		}
		if (eval_with(r, v, r->pointer, ev) != MF_RULE_MET)
			return ev->result;
		break;
	case OP_MIN_ITEMS:
		if (!json_is_array(v) || json_array_size(v) < r->min)
			return finish(
			    ev, MF_RULE_NOT_MET, r->pointer, n,
			    "%s lists %zu item%s; %zu needed", r->pointer,
			    json_is_array(v) ? json_array_size(v) : (size_t)0,
			    json_array_size(v) == 1 ? "" : "s", r->min);
		break;
	case OP_URL:
		if (json_is_array(v)) {
			json_array_foreach(v, i, item)
			{
				if (is_url(item))
					break;
			}
			if (i < json_array_size(v))
				break;
		} else if (is_url(v)) {
			break;
		}
		return finish(ev, MF_RULE_NOT_MET, r->pointer, n,
		              "%s gives no http(s) URL", r->pointer);
	case OP_EQUALS:
		if (!json_equal((json_t *)v, r->operand))
			return finish(ev, MF_RULE_NOT_MET, r->pointer, n,
			              "%s has another value", r->pointer);
		break;
	case OP_IN:
		json_array_foreach(r->operand, i, item)
		{
			if (json_equal((json_t *)v, (json_t *)item))
				break;
		}
		if (i == json_array_size(r->operand))
			return finish(ev, MF_RULE_NOT_MET, r->pointer, n,
			              "%s is not one of the accepted values",
			              r->pointer);
		break;
	case OP_CONTAINS:
		if (json_is_array(v)) {
			json_array_foreach(v, i, item)
			{
				if (item_matches(item, r->operand))
					break;
			}
			if (i < json_array_size(v))
				break;
		}
		return finish(ev, MF_RULE_NOT_MET, r->pointer, n,
		              "%s has no matching entry", r->pointer);
	default:
		break;
	}
	return finish(ev, MF_RULE_MET, r->pointer, n, "%s", "");
}

enum mf_rule_result
mf_rule_eval(const struct mf_rule *r, const json_t *doc,
             struct mf_rule_eval *ev)
{
	struct mf_rule_eval sub;
	bool any_na = false;
	size_t i, used;

	memset(ev, 0, sizeof(*ev));
	if (r->op != OP_ALL && r->op != OP_ANY)
		return eval_leaf(r, doc, ev);
	if (r->op == OP_ALL) {
		/* The first failing child explains the failure. */
		for (i = 0; i < r->n_children; i++) {
			mf_rule_eval(r->children[i], doc, &sub);
			if (sub.result == MF_RULE_NOT_MET) {
				*ev = sub;
				return ev->result;
			}
			if (sub.result == MF_RULE_NA && !any_na) {
				*ev = sub;
				any_na = true;
			}
		}
		if (any_na)
			return ev->result;
		ev->result = MF_RULE_MET;
		return ev->result;
	}
	/* any: met by the first met child; otherwise list why each failed. */
	used = 0;
	for (i = 0; i < r->n_children; i++) {
		mf_rule_eval(r->children[i], doc, &sub);
		if (sub.result == MF_RULE_MET) {
			*ev = sub;
			return ev->result;
		}
		if (sub.result == MF_RULE_NA)
			any_na = true;
		if (i == 0)
			memcpy(ev->pointer, sub.pointer, sizeof(ev->pointer));
		/* Children that fail on the same withheld section say the
		 * same thing: say it once. */
		if (sub.reason[0] == '\0' || strstr(ev->reason, sub.reason))
			continue;
		used += (size_t)snprintf(
		    ev->reason + used,
		    used < sizeof(ev->reason) ? sizeof(ev->reason) - used : 0,
		    "%s%s", used == 0 ? "" : "; ", sub.reason);
		if (used >= sizeof(ev->reason))
			used = sizeof(ev->reason) - 1;
	}
	ev->result = any_na ? MF_RULE_NA : MF_RULE_NOT_MET;
	return ev->result;
}
