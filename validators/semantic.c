/*
 * Semantic rules for payloads (see semantic.h). One generic walk checks
 * every string (control characters, URL schemes, dates, lengths); then
 * per-type functions check the relations between fields that a schema
 * cannot express. Every rule's error code is listed in schema/README.md.
 */
#include "validators/semantic.h"

#include "common/buf.h"
#include "common/json.h"
#include "common/slug.h"
#include "common/timeutil.h"
#include "envelope/keys.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PTR_MAX   512
#define MAX_DEPTH 32
#define MAX_TEXT  20000 /* code points, the schema's long-text limit */
#define MAX_URL   2048

struct ctx {
	struct mf_doc_report *rep;
	int rc; /* first MF_E_NOMEM, reported at the end */
	int64_t now_ms;
	int64_t issued_us; /* issued_at, or INT64_MIN when unknown */
	bool too_deep;
};

/* A field read through the status wrapper (schema/common.v1.json). */
struct field {
	const json_t *v;    /* the value when disclosed, else NULL */
	const char *status; /* a wrapper status, or "absent" */
	char ptr[PTR_MAX];  /* pointer to v, or to the wrapper/absent member */
};

static void add(struct ctx *c, enum mf_doc_severity sev, const char *ptr,
                const char *code, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void
add(struct ctx *c, enum mf_doc_severity sev, const char *ptr, const char *code,
    const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (mf_doc_report_add(c->rep, sev, ptr, code, NULL, "%s", msg) != 0 &&
	    c->rc == 0)
		c->rc = MF_E_NOMEM;
}

#define ERR(c, p, code, ...)  add(c, MF_DOC_ERROR, p, code, __VA_ARGS__)
#define WARN(c, p, code, ...) add(c, MF_DOC_WARNING, p, code, __VA_ARGS__)

/* ------------------------------------------------------------------ */
/* Field access through wrappers                                       */

static const char *const statuses[] = {"disclosed", "withheld",
                                       "not_applicable", "unknown"};

static const char *
wrapper_status(const json_t *v)
{
	const char *s;
	size_t i;

	if (!json_is_object(v))
		return NULL;
	if ((s = json_string_value(json_object_get(v, "status"))) == NULL)
		return NULL;
	for (i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
		if (strcmp(s, statuses[i]) == 0)
			return statuses[i];
	return NULL;
}

/* out = base + suffix, truncated to PTR_MAX - 1 bytes (pointers are
 * bounded by the nesting limit; truncation only shortens a message). */
static void
ptr_join(char *out, const char *base, const char *suffix)
{
	size_t a = strnlen(base, PTR_MAX - 1);
	size_t b = strnlen(suffix, PTR_MAX - 1 - a);

	memmove(out, base, a);
	memcpy(out + a, suffix, b);
	out[a + b] = '\0';
}

static void
ptr_join_index(char *out, const char *base, size_t i, const char *tail)
{
	char suffix[96];

	snprintf(suffix, sizeof(suffix), "/%zu%s", i, tail);
	ptr_join(out, base, suffix);
}

static void
field_root(struct field *f, const json_t *doc)
{
	f->v = doc;
	f->status = "disclosed";
	f->ptr[0] = '\0';
}

/* Reads member key of parent, looking through a status wrapper. Keys are
 * our own ASCII member names, so they need no pointer escaping. */
static void
field_get(struct field *out, const struct field *parent, const char *key)
{
	const json_t *child = NULL;
	const char *st;
	char suffix[80];

	snprintf(suffix, sizeof(suffix), "/%s", key);
	ptr_join(out->ptr, parent->ptr, suffix);
	out->v = NULL;
	out->status = "absent";
	if (json_is_object(parent->v))
		child = json_object_get(parent->v, key);
	if (child == NULL || json_is_null(child))
		return;
	if ((st = wrapper_status(child)) != NULL) {
		out->status = st;
		if (strcmp(st, "disclosed") == 0) {
			out->v = json_object_get(child, "value");
			ptr_join(out->ptr, out->ptr, "/value");
		}
		return;
	}
	out->v = child;
	out->status = "disclosed";
}

/* Shorthand: the disclosed value at a path of member names. */
static void
field_path(struct field *out, const json_t *doc, const char *const *keys)
{
	struct field cur;

	field_root(&cur, doc);
	*out = cur;
	for (; *keys != NULL; keys++) {
		field_get(out, &cur, *keys);
		cur = *out;
	}
}

#define FIELD(out, doc, ...)                                                   \
	do {                                                                   \
		static const char *const keys_[] = {__VA_ARGS__, NULL};        \
		field_path(out, doc, keys_);                                   \
	} while (0)

static bool
num(const json_t *v, double *out)
{
	if (!json_is_number(v))
		return false;
	*out = json_number_value(v);
	return true;
}

/* Amount of a quantity object, converted to base units by its unit. */
struct unit_row {
	const char *unit;
	double factor;
};

static bool
quantity(const struct field *f, const struct unit_row *units, double *out,
         const char **unit_out)
{
	const char *u;
	double a;

	if (!json_is_object(f->v) || !num(json_object_get(f->v, "amount"), &a))
		return false;
	if ((u = json_string_value(json_object_get(f->v, "unit"))) == NULL)
		return false;
	for (; units->unit != NULL; units++) {
		if (strcmp(units->unit, u) == 0) {
			*out = a * units->factor;
			if (unit_out != NULL)
				*unit_out = u;
			return true;
		}
	}
	return false; /* unknown unit: the schema reports it */
}

static const struct unit_row u_params[] = {{"parameters", 1}, {NULL, 0}};
static const struct unit_row u_tokens[] = {{"tokens", 1}, {NULL, 0}};
static const struct unit_row u_flop[] = {{"FLOP", 1}, {NULL, 0}};
static const struct unit_row u_hours[] = {{"hours", 1}, {NULL, 0}};
static const struct unit_row u_duration_h[] = {
    {"hours", 1}, {"days", 24}, {NULL, 0}};
static const struct unit_row u_energy_mwh[] = {
    {"kWh", 1e-3}, {"MWh", 1}, {"GWh", 1e3}, {NULL, 0}};
static const struct unit_row u_emissions_t[] = {
    {"kgCO2e", 1e-3}, {"tCO2e", 1}, {NULL, 0}};
static const struct unit_row u_data[] = {
    {"tokens", 1},      {"bytes", 1},       {"words", 1},
    {"documents", 1},   {"examples", 1},    {"images", 1},
    {"audio_hours", 1}, {"video_hours", 1}, {NULL, 0}};

/* ------------------------------------------------------------------ */
/* Strings: URLs, control characters, dates                            */

bool
mf_semantic_url_ok(const char *s, const char **why)
{
	const char *p, *host, *end;
	size_t n = strlen(s), i;
	const char *dummy;

	if (why == NULL)
		why = &dummy;
	if (n > MAX_URL) {
		*why = "URL longer than 2048 bytes";
		return false;
	}
	if (strncasecmp(s, "https://", 8) == 0)
		p = s + 8;
	else if (strncasecmp(s, "http://", 7) == 0)
		p = s + 7;
	else {
		*why = "only http and https URLs are allowed";
		return false;
	}
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch <= 0x20 || ch == 0x7f) {
			*why = "URL contains whitespace or control characters";
			return false;
		}
	}
	host = p;
	end = p + strcspn(p, "/?#");
	if (end == host) {
		*why = "URL has no host";
		return false;
	}
	if (memchr(host, '@', (size_t)(end - host)) != NULL) {
		*why = "URL carries credentials (user@host)";
		return false;
	}
	if (*host == '[') { /* IPv6 literal */
		const char *close = memchr(host, ']', (size_t)(end - host));

		if (close == NULL) {
			*why = "URL has an unterminated IPv6 host";
			return false;
		}
		p = close + 1;
	} else {
		for (p = host; p < end && *p != ':'; p++)
			if (!((*p >= 'a' && *p <= 'z') ||
			      (*p >= 'A' && *p <= 'Z') ||
			      (*p >= '0' && *p <= '9') || *p == '.' ||
			      *p == '-' || *p == '_' ||
			      (unsigned char)*p >= 0x80)) {
				*why = "URL host contains invalid characters";
				return false;
			}
		if (p == host) {
			*why = "URL has no host";
			return false;
		}
	}
	if (p < end) {
		long port = 0;

		if (*p != ':' || p + 1 == end) {
			*why = "URL has a malformed port";
			return false;
		}
		for (p++; p < end; p++) {
			if (*p < '0' || *p > '9' ||
			    (port = port * 10 + (*p - '0')) > 65535) {
				*why = "URL has a malformed port";
				return false;
			}
		}
	}
	return true;
}

/* Members whose strings are URLs, wherever they occur. */
static const char *const url_members[] = {
    "url",
    "references",
    "documentation",
    "terms_of_service",
    "changelog",
    "code",
    "policy_url",
    "safety_framework",
    "impact_assessment",
    "whistleblowing",
    "privacy_policy",
    "instructions",
    "artifacts_url",
    "source",
    "template",
    NULL,
};

/* Members that hold a single line: no line breaks or tabs. */
static const char *const single_line_members[] = {
    "name",
    "version",
    "developer",
    "provider",
    "responsible_entity",
    "eu_representative",
    "label",
    "evaluator",
    "model_name",
    "edition",
    "task",
    "config",
    "split",
    "format",
    "license",
    "revision",
    "keyid",
    "replaces",
    "registry",
    "org",
    "model",
    "type",
    "status",
    "unit",
    "kind",
    "category",
    "stage",
    "relation",
    "access",
    "release_stage",
    "classification",
    "scale",
    "assurance",
    "index",
    "issued_at",
    "supersedes",
    "email",
    "id",
    "spdx",
    "benchmark",
    "metric",
    "disclosure",
    "eval_result",
    "digest",
    "not_after",
    "compromised_since",
    "action",
    "used_for_training",
    NULL,
};

static bool
in_list(const char *const *list, const char *s)
{
	if (s == NULL)
		return false;
	/* on every string and member: the first byte rules most out */
	for (; *list != NULL; list++)
		if (**list == *s && strcmp(*list, s) == 0)
			return true;
	return false;
}

/* Schemes that must never reach a link, whatever field they are in. */
static bool
dangerous_scheme(const char *s)
{
	static const char *const schemes[] = {
	    "javascript:", "data:", "file:", "vbscript:", NULL};
	const char *const *p;

	while (*s == ' ' || *s == '\t' || *s == '\n')
		s++;
	if (*s == '\0' || strchr("jdfvJDFV", *s) == NULL)
		return false; /* most strings: no scheme of the list */
	for (p = schemes; *p != NULL; p++)
		if (strncasecmp(s, *p, strlen(*p)) == 0)
			return true;
	return false;
}

/* Decodes one code point (the input is valid UTF-8: jansson checked). */
static unsigned
next_cp(const unsigned char **sp)
{
	const unsigned char *s = *sp;
	unsigned cp;

	if (s[0] < 0x80) {
		cp = s[0];
		*sp = s + 1;
	} else if ((s[0] & 0xe0) == 0xc0) {
		cp = ((s[0] & 0x1fu) << 6) | (s[1] & 0x3fu);
		*sp = s + 2;
	} else if ((s[0] & 0xf0) == 0xe0) {
		cp = ((s[0] & 0x0fu) << 12) | ((s[1] & 0x3fu) << 6) |
		     (s[2] & 0x3fu);
		*sp = s + 3;
	} else {
		cp = ((s[0] & 0x07u) << 18) | ((s[1] & 0x3fu) << 12) |
		     ((s[2] & 0x3fu) << 6) | (s[3] & 0x3fu);
		*sp = s + 4;
	}
	return cp;
}

static bool
looks_like_date(const char *s, size_t n)
{
	return n == 10 && s[4] == '-' && s[7] == '-' &&
	       strspn(s, "0123456789-") == 10;
}

static bool
looks_like_timestamp(const char *s, size_t n)
{
	/* YYYY-MM-DDT...: the date part, then the time separator. */
	return n >= 20 && n <= 40 && s[4] == '-' && s[7] == '-' &&
	       (s[10] == 'T' || s[10] == 't') && strspn(s, "0123456789-") == 10;
}

/* Dates outside these years are absurd for model facts. */
#define YEAR_MIN 1900
#define YEAR_MAX 2200

static void
check_string(struct ctx *c, const char *ptr, const char *member,
             const json_t *v, bool url_context)
{
	const unsigned char *s = (const unsigned char *)json_string_value(v);
	size_t n = json_string_length(v), cps = 0;
	bool single = in_list(single_line_members, member);
	bool bad_ctl = false, bad_line = false, bidi = false;
	const char *why;

	if (memchr(s, '\0', n) != NULL) {
		ERR(c, ptr, "control_character", "text contains a NUL byte");
		return;
	}
	while (*s) {
		unsigned cp;

		cps++;
		if (*s < 0x80) { /* most text: no decoding needed */
			cp = *s++;
			if (cp == '\n' || cp == '\t')
				bad_line |= single;
			else if (cp < 0x20 || cp == 0x7f)
				bad_ctl = true;
			continue;
		}
		cp = next_cp(&s);
		if (cp == '\n' || cp == '\t')
			bad_line |= single;
		else if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0))
			bad_ctl = true;
		else if ((cp >= 0x202a && cp <= 0x202e) ||
		         (cp >= 0x2066 && cp <= 0x2069))
			bidi = true;
	}
	s = (const unsigned char *)json_string_value(v);
	if (bad_ctl)
		ERR(c, ptr, "control_character",
		    "text contains control characters (only line feed and "
		    "tab are allowed, in multi-line text)");
	else if (bad_line)
		ERR(c, ptr, "control_character",
		    "'%s' is a single line: no line breaks or tabs", member);
	if (bidi)
		WARN(c, ptr, "bidi_control",
		     "text contains bidirectional override characters, which "
		     "can make it display differently from what it says");
	if (cps > MAX_TEXT)
		ERR(c, ptr, "text_too_long",
		    "text has %zu characters; the limit is %d", cps, MAX_TEXT);
	if (url_context) {
		if (!mf_semantic_url_ok((const char *)s, &why))
			ERR(c, ptr, "url", "%s", why);
		else if (strncasecmp((const char *)s, "http://", 7) == 0)
			WARN(c, ptr, "insecure_url",
			     "plain http URL; prefer https");
	} else if (dangerous_scheme((const char *)s)) {
		ERR(c, ptr, "url_scheme",
		    "javascript:, data:, file: and vbscript: URLs are not "
		    "allowed anywhere");
	}
	if (looks_like_date((const char *)s, n)) {
		int64_t days;
		int year = atoi((const char *)s);

		if (mf_time_parse_date((const char *)s, &days) != 0)
			ERR(c, ptr, "invalid_date",
			    "'%s' is not a calendar date", s);
		else if (year < YEAR_MIN || year > YEAR_MAX)
			ERR(c, ptr, "date_range", "year %d is outside %d-%d",
			    year, YEAR_MIN, YEAR_MAX);
	} else if (looks_like_timestamp((const char *)s, n)) {
		int64_t us;

		if (mf_time_parse_rfc3339((const char *)s, &us) != 0)
			ERR(c, ptr, "invalid_timestamp",
			    "'%s' is not a valid RFC 3339 date-time", s);
	}
}

/*
 * Walks every value. member is the name of the member that holds v (for
 * array items and wrapper values: the enclosing member), so that rules
 * keyed by member name apply through arrays and wrappers.
 */
static void
walk(struct ctx *c, struct mf_buf *ptr, const char *member, const json_t *v,
     bool url_context, int depth)
{
	size_t mark = ptr->len;

	if (depth > MAX_DEPTH) {
		if (!c->too_deep)
			ERR(c, ptr->data, "too_deep",
			    "nesting deeper than %d levels", MAX_DEPTH);
		c->too_deep = true;
		return;
	}
	if (json_is_string(v)) {
		check_string(c, ptr->data != NULL ? ptr->data : "", member, v,
		             url_context);
	} else if (json_is_array(v)) {
		size_t i;
		json_t *item;

		json_array_foreach(v, i, item)
		{
			if (mf_json_pointer_push_index(ptr, i) != 0) {
				c->rc = MF_E_NOMEM;
				return;
			}
			walk(c, ptr, member, item, url_context, depth + 1);
			ptr->len = mark;
			ptr->data[mark] = '\0';
		}
	} else if (json_is_object(v)) {
		const char *key;
		json_t *child;
		bool wrapper = wrapper_status(v) != NULL;

		json_object_foreach((json_t *)v, key, child)
		{
			const char *m = key;
			bool url = in_list(url_members, key);

			if (wrapper && strcmp(key, "value") == 0) {
				/* A wrapper's value is the field itself. */
				m = member;
				url = url_context;
			}
			if (mf_json_pointer_push(ptr, key) != 0) {
				c->rc = MF_E_NOMEM;
				return;
			}
			if (strlen(key) > 128 || strpbrk(key, "\n\r\t") != NULL)
				ERR(c, ptr->data, "bad_member_name",
				    "member names must be short and printable");
			walk(c, ptr, m, child, url, depth + 1);
			ptr->len = mark;
			ptr->data[mark] = '\0';
		}
	}
}

/* ------------------------------------------------------------------ */
/* Header: registry, subject, issued_at, seq                           */

static void
check_slug(struct ctx *c, const json_t *subject, const char *key, bool required)
{
	const json_t *v = json_object_get(subject, key);
	char ptr[64];
	const char *s;
	size_t n;

	snprintf(ptr, sizeof(ptr), "/subject/%s", key);
	if (v == NULL) {
		if (required)
			ERR(c, "/subject", "slug", "subject.%s is required",
			    key);
		return;
	}
	if ((s = json_string_value(v)) == NULL || !mf_slug_valid(s)) {
		ERR(c, ptr, "slug",
		    "ids are 1-63 characters of a-z, 0-9 and '-', starting "
		    "with a letter or digit");
		return;
	}
	n = strlen(s);
	if (s[n - 1] == '-' || strstr(s, "--") != NULL)
		WARN(c, ptr, "slug_style",
		     "'%s' ends with '-' or contains '--'; such ids are easy "
		     "to mistype",
		     s);
}

static void
check_header(struct ctx *c, const json_t *doc, int type)
{
	const json_t *subject = json_object_get(doc, "subject");
	const json_t *seq = json_object_get(doc, "seq");
	const char *issued = mf_json_str(doc, "issued_at");
	const char *reg = mf_json_str(doc, "registry");
	int64_t us;

	c->issued_us = INT64_MIN;
	if (reg != NULL && (*reg == '\0' || strpbrk(reg, " +\t\n") != NULL))
		ERR(c, "/registry", "registry",
		    "the registry origin is non-empty printable ASCII "
		    "without spaces or '+'");
	if (json_is_object(subject)) {
		check_slug(c, subject, "org", true);
		check_slug(c, subject, "model",
		           type != MF_DOC_KEY_EVENT && type != MF_DOC_ANY);
		if (type == MF_DOC_KEY_EVENT &&
		    json_object_get(subject, "model") != NULL)
			ERR(c, "/subject/model", "key_event_model",
			    "key events concern an organisation, not a "
			    "model");
	}
	if (seq != NULL &&
	    (!json_is_integer(seq) || json_integer_value(seq) < 1))
		ERR(c, "/seq", "seq", "seq is an integer >= 1");
	if (issued != NULL) {
		if (mf_time_parse_rfc3339(issued, &us) != 0) {
			ERR(c, "/issued_at", "invalid_timestamp",
			    "issued_at is not an RFC 3339 date-time");
		} else if (us / 1000 < MF_SEMANTIC_EARLIEST_MS) {
			ERR(c, "/issued_at", "issued_at",
			    "issued_at is before 2015");
		} else if (us / 1000 >
		           c->now_ms + MF_SEMANTIC_FUTURE_SLACK_MS) {
			ERR(c, "/issued_at", "issued_at",
			    "issued_at is more than a day in the future");
		} else {
			c->issued_us = us;
		}
	}
}

/* ------------------------------------------------------------------ */
/* Disclosure                                                          */

static bool
date_days(const struct field *f, int64_t *days)
{
	const char *s = json_string_value(f->v);

	return s != NULL && mf_time_parse_date(s, days) == 0;
}

static void
check_supersedes(struct ctx *c, const json_t *doc)
{
	const json_t *v = json_object_get(doc, "supersedes");
	const char *s;
	size_t i;

	if (v == NULL || json_is_null(v))
		return;
	if ((s = json_string_value(v)) == NULL)
		return; /* the schema reports the type */
	if (strncmp(s, "sha256:", 7) != 0 || strlen(s) != 7 + 64) {
		ERR(c, "/supersedes", "supersedes",
		    "supersedes is sha256: followed by 64 hex digits, or "
		    "null");
		return;
	}
	for (i = 7; s[i]; i++) {
		if (s[i] >= 'A' && s[i] <= 'F') {
			ERR(c, "/supersedes", "supersedes",
			    "use lowercase hex digits in supersedes");
			return;
		}
		if (!((s[i] >= '0' && s[i] <= '9') ||
		      (s[i] >= 'a' && s[i] <= 'f'))) {
			ERR(c, "/supersedes", "supersedes",
			    "supersedes contains a non-hex character");
			return;
		}
	}
	/* A first document (seq 1) may supersede: a developer's first own
	 * disclosure replaces a version a curator transcribed. Whether it
	 * names the current head is the registry's check (409). */
}

/* Withheld and not-applicable fields should say why. */
static void
check_wrappers(struct ctx *c, struct mf_buf *ptr, const json_t *v)
{
	size_t mark = ptr->len;
	const char *st = wrapper_status(v);

	if (st != NULL) {
		if ((strcmp(st, "withheld") == 0 ||
		     strcmp(st, "not_applicable") == 0) &&
		    json_object_get(v, "explanation") == NULL)
			WARN(c, ptr->data, "unexplained_status",
			     "%s without an explanation; say why", st);
		if (strcmp(st, "disclosed") == 0)
			v = json_object_get(v, "value");
		else
			return;
		if (mf_json_pointer_push(ptr, "value") != 0) {
			c->rc = MF_E_NOMEM;
			return;
		}
	}
	if (json_is_object(v)) {
		const char *key;
		json_t *child;
		size_t inner = ptr->len;

		json_object_foreach((json_t *)v, key, child)
		{
			if (mf_json_pointer_push(ptr, key) != 0) {
				c->rc = MF_E_NOMEM;
				break;
			}
			check_wrappers(c, ptr, child);
			ptr->len = inner;
			ptr->data[inner] = '\0';
		}
	}
	ptr->len = mark;
	if (ptr->data != NULL)
		ptr->data[mark] = '\0';
}

static void
check_disclosure_dates(struct ctx *c, const json_t *doc)
{
	struct field start, end, release, cutoff, eos;
	int64_t d_start, d_end, d_rel, d_cut, d_eos;
	bool has_start, has_end, has_rel;
	int64_t issued_days = c->issued_us != INT64_MIN
	                          ? c->issued_us / 1000000 / 86400
	                          : INT64_MIN;

	FIELD(&start, doc, "training", "start_date");
	FIELD(&end, doc, "training", "end_date");
	FIELD(&release, doc, "identity", "release_date");
	FIELD(&cutoff, doc, "data", "cutoff");
	FIELD(&eos, doc, "downstream", "deprecation", "end_of_support");
	has_start = date_days(&start, &d_start);
	has_end = date_days(&end, &d_end);
	has_rel = date_days(&release, &d_rel);
	if (has_start && has_end && d_start > d_end)
		ERR(c, end.ptr, "date_order",
		    "training ends (%s) before it starts (%s)",
		    json_string_value(end.v), json_string_value(start.v));
	if (has_rel && has_end && d_rel < d_end)
		ERR(c, release.ptr, "date_order",
		    "release date %s is before training ended (%s)",
		    json_string_value(release.v), json_string_value(end.v));
	if (has_rel && has_start && !has_end && d_rel < d_start)
		ERR(c, release.ptr, "date_order",
		    "release date %s is before training started (%s)",
		    json_string_value(release.v), json_string_value(start.v));
	if (date_days(&cutoff, &d_cut) && has_end && d_cut > d_end)
		WARN(c, cutoff.ptr, "date_order",
		     "data cutoff %s is after training ended",
		     json_string_value(cutoff.v));
	if (date_days(&eos, &d_eos) && has_rel && d_eos < d_rel)
		ERR(c, eos.ptr, "date_order",
		    "end of support is before the release date");
	if (issued_days != INT64_MIN) {
		if (has_end && d_end > issued_days)
			WARN(c, end.ptr, "date_future",
			     "training end date is after issued_at");
		if (has_rel && d_rel > issued_days + 365)
			WARN(c, release.ptr, "date_future",
			     "release date is more than a year after "
			     "issued_at");
	}
}

static void
warn_range(struct ctx *c, const struct field *f, double x, double lo, double hi,
           const char *what)
{
	if (x < lo)
		WARN(c, f->ptr, "suspicious_value",
		     "%s of %g is implausibly small", what, x);
	else if (x > hi)
		WARN(c, f->ptr, "suspicious_value",
		     "%s of %g is implausibly large", what, x);
}

static void
check_disclosure_numbers(struct ctx *c, const json_t *doc)
{
	struct field params, active, ctxw, maxout, flop, data_size, energy,
	    emissions, duration, acc_hours, hw, count, syn, syn_used, syn_share,
	    red, red_perf, red_ext, sysrisk, cls;
	double p = 0, a = 0, cw = 0, mo = 0, fl = 0, ds = 0, e = 0, em = 0,
	       du = 0, ah = 0, n;
	const char *ds_unit = NULL;
	bool has_p, has_fl, has_ds, has_e, has_ah;

	FIELD(&params, doc, "model", "parameters");
	FIELD(&active, doc, "model", "active_parameters");
	FIELD(&ctxw, doc, "model", "context_window");
	FIELD(&maxout, doc, "model", "max_output");
	FIELD(&flop, doc, "compute", "training_flop");
	FIELD(&data_size, doc, "data", "size");
	FIELD(&energy, doc, "compute", "energy");
	FIELD(&emissions, doc, "compute", "emissions");
	FIELD(&duration, doc, "compute", "duration");
	FIELD(&acc_hours, doc, "compute", "accelerator_hours");
	FIELD(&hw, doc, "compute", "hardware");

	if ((has_p = quantity(&params, u_params, &p, NULL)))
		warn_range(c, &params, p, 1e3, 1e14, "parameter count");
	if (quantity(&active, u_params, &a, NULL)) {
		if (has_p && a > p)
			ERR(c, active.ptr, "range",
			    "more active parameters (%g) than parameters (%g)",
			    a, p);
	}
	if (quantity(&ctxw, u_tokens, &cw, NULL))
		warn_range(c, &ctxw, cw, 16, 1e8, "context window");
	if (quantity(&maxout, u_tokens, &mo, NULL) && cw > 0 && mo > cw)
		WARN(c, maxout.ptr, "suspicious_value",
		     "maximum output exceeds the context window");
	if ((has_fl = quantity(&flop, u_flop, &fl, NULL)))
		warn_range(c, &flop, fl, 1e15, 1e29, "training compute");
	if ((has_ds = quantity(&data_size, u_data, &ds, &ds_unit)) &&
	    strcmp(ds_unit, "tokens") == 0)
		warn_range(c, &data_size, ds, 1e5, 1e15, "token count");
	/* Dense transformer training costs about 6 FLOP per parameter and
	 * token; a figure far off that rule usually has a unit slip. */
	if (has_p && has_fl && has_ds && strcmp(ds_unit, "tokens") == 0) {
		double r = fl / (6.0 * p * ds);

		if (r < 0.1 || r > 30)
			WARN(c, flop.ptr, "suspicious_value",
			     "training compute is %.3g times the usual "
			     "estimate 6 x parameters x tokens (%.3g FLOP); "
			     "check the units",
			     r, 6.0 * p * ds);
	}
	if ((has_e = quantity(&energy, u_energy_mwh, &e, NULL)))
		warn_range(c, &energy, e, 1e-3, 1e6, "training energy (MWh)");
	if (quantity(&emissions, u_emissions_t, &em, NULL) && em > 1e6)
		WARN(c, emissions.ptr, "suspicious_value",
		     "training emissions of %g tCO2e are implausibly large",
		     em);
	if (quantity(&duration, u_duration_h, &du, NULL) && du > 3650 * 24)
		WARN(c, duration.ptr, "suspicious_value",
		     "training took more than ten years");
	/* An accelerator draws roughly 0.3-1.5 kW including overheads. */
	if ((has_ah = quantity(&acc_hours, u_hours, &ah, NULL)) && has_e &&
	    ah > 0) {
		double kw = e * 1000.0 / ah;

		if (kw < 0.05 || kw > 10)
			WARN(c, energy.ptr, "suspicious_value",
			     "%.3g kWh per accelerator hour is implausible; "
			     "check the energy unit",
			     kw);
	}
	field_get(&count, &hw, "count");
	if (num(count.v, &n) && n > 1e7)
		WARN(c, count.ptr, "suspicious_value",
		     "more than ten million accelerators");

	FIELD(&syn, doc, "data", "synthetic");
	field_get(&syn_used, &syn, "used");
	field_get(&syn_share, &syn, "share");
	if (json_is_false(syn_used.v) && num(syn_share.v, &n) && n > 0)
		ERR(c, syn_share.ptr, "inconsistent",
		    "synthetic data has a share but is marked unused");

	FIELD(&red, doc, "risks", "red_teaming");
	field_get(&red_perf, &red, "performed");
	field_get(&red_ext, &red, "external");
	if (json_is_false(red_perf.v) && json_is_true(red_ext.v))
		ERR(c, red_ext.ptr, "inconsistent",
		    "external red teaming cannot have taken place when red "
		    "teaming was not performed");

	/* The EU AI Act presumes systemic risk above 1e25 FLOP. */
	FIELD(&sysrisk, doc, "risks", "systemic_risk");
	field_get(&cls, &sysrisk, "classification");
	if (has_fl && fl > 1e25 && json_is_string(cls.v) &&
	    strcmp(json_string_value(cls.v), "no") == 0)
		WARN(c, cls.ptr, "suspicious_value",
		     "classified as without systemic risk although training "
		     "compute exceeds 1e25 FLOP");
}

/* Scale of a metric value: fraction, percent, range, non_negative. */
static void
check_scaled_value(struct ctx *c, const char *ptr, const char *scale,
                   double value, const json_t *range, const char *metric)
{
	double lo, hi;

	if (scale == NULL)
		return;
	if (strcmp(scale, "fraction") == 0 && (value < 0 || value > 1))
		ERR(c, ptr, "metric_range",
		    "%g is outside [0, 1], the range of a fraction%s", value,
		    value > 1 && value <= 100 ? " (percent scale?)" : "");
	else if (strcmp(scale, "percent") == 0 && (value < 0 || value > 100))
		ERR(c, ptr, "metric_range", "%g is outside [0, 100]", value);
	else if (strcmp(scale, "non_negative") == 0 && value < 0)
		ERR(c, ptr, "metric_range", "%g is negative", value);
	else if (strcmp(scale, "range") == 0 && json_is_object(range) &&
	         num(json_object_get(range, "min"), &lo) &&
	         num(json_object_get(range, "max"), &hi) &&
	         (value < lo || value > hi))
		ERR(c, ptr, "metric_range", "%g is outside [%g, %g]", value, lo,
		    hi);
	else if (strcmp(scale, "percent") == 0 && value > 0 && value <= 1 &&
	         metric != NULL &&
	         (strstr(metric, "acc") != NULL ||
	          strstr(metric, "match") != NULL))
		WARN(c, ptr, "suspicious_value",
		     "%g on a percent scale: did you mean the fraction scale?",
		     value);
}

/* Duplicate strings in a list are almost always a copy-paste slip. */
static void
warn_duplicates(struct ctx *c, const struct field *f)
{
	size_t i, j, n;

	if (!json_is_array(f->v))
		return;
	n = json_array_size(f->v);
	for (i = 1; i < n && i < 1000; i++) {
		const char *a = json_string_value(json_array_get(f->v, i));

		for (j = 0; a != NULL && j < i; j++) {
			const char *b =
			    json_string_value(json_array_get(f->v, j));

			if (b != NULL && strcasecmp(a, b) == 0) {
				WARN(c, f->ptr, "duplicate",
				     "'%s' is listed twice", a);
				return;
			}
		}
	}
}

static void
check_disclosure_lists(struct ctx *c, const json_t *doc)
{
	struct field sources, langs, mlangs, arts, bases, results;
	const json_t *subject = json_object_get(doc, "subject");
	const char *org = mf_json_str(subject, "org");
	const char *model = mf_json_str(subject, "model");
	const json_t *item;
	double share, sum = 0, x;
	size_t i, j;
	char ptr[PTR_MAX];

	FIELD(&sources, doc, "data", "sources");
	json_array_foreach(sources.v, i, item)
	{
		if (num(json_object_get(item, "share"), &share))
			sum += share;
	}
	if (sum > 1.0 + 1e-6)
		ERR(c, sources.ptr, "share_sum",
		    "source shares add up to %.4g, more than 1", sum);

	FIELD(&langs, doc, "data", "languages");
	FIELD(&mlangs, doc, "model", "languages");
	warn_duplicates(c, &langs);
	warn_duplicates(c, &mlangs);

	FIELD(&arts, doc, "identity", "artifacts");
	json_array_foreach(arts.v, i, item)
	{
		const char *d = mf_json_str(item, "digest");

		for (j = 0; d != NULL && j < i; j++) {
			const char *e =
			    mf_json_str(json_array_get(arts.v, j), "digest");

			if (e != NULL && strcmp(d, e) == 0) {
				ptr_join_index(ptr, arts.ptr, i, "/digest");
				WARN(c, ptr, "duplicate",
				     "same digest as artifact %zu", j);
				break;
			}
		}
	}

	FIELD(&bases, doc, "identity", "base_models");
	json_array_foreach(bases.v, i, item)
	{
		const char *bo = mf_json_str(item, "org");
		const char *bm = mf_json_str(item, "model");

		if (bo != NULL && bm != NULL && org != NULL && model != NULL &&
		    strcmp(bo, org) == 0 && strcmp(bm, model) == 0) {
			ptr_join_index(ptr, bases.ptr, i, "");
			ERR(c, ptr, "self_reference",
			    "a model cannot be its own base model");
		}
		if ((bo != NULL) != (bm != NULL)) {
			ptr_join_index(ptr, bases.ptr, i, "");
			ERR(c, ptr, "inconsistent",
			    "give both org and model of a registered base "
			    "model, or neither");
		}
	}

	FIELD(&results, doc, "evaluations", "results");
	json_array_foreach(results.v, i, item)
	{
		if (!num(json_object_get(item, "value"), &x))
			continue;
		ptr_join_index(ptr, results.ptr, i, "/value");
		check_scaled_value(c, ptr, mf_json_str(item, "scale"), x, NULL,
		                   mf_json_str(item, "metric"));
	}
}

static void
check_disclosure(struct ctx *c, const json_t *doc)
{
	struct mf_buf ptr;

	check_supersedes(c, doc);
	check_disclosure_dates(c, doc);
	check_disclosure_numbers(c, doc);
	check_disclosure_lists(c, doc);
	mf_buf_init(&ptr, 8192);
	if (mf_buf_puts(&ptr, "") != 0)
		c->rc = MF_E_NOMEM;
	else
		check_wrappers(c, &ptr, doc);
	mf_buf_dispose(&ptr);
}

/* ------------------------------------------------------------------ */
/* Eval result                                                         */

static void
check_eval(struct ctx *c, const json_t *doc)
{
	const json_t *metric = json_object_get(doc, "metric");
	const json_t *unc = json_object_get(doc, "uncertainty");
	const json_t *ci = json_object_get(unc, "ci");
	const json_t *pr = json_object_get(doc, "prompting");
	const char *scale = mf_json_str(metric, "scale");
	const char *name = mf_json_str(metric, "name");
	const char *on = mf_json_str(doc, "evaluated_on");
	double v = 0, lo, hi, t, se;
	bool has_v = num(json_object_get(doc, "value"), &v);
	int64_t days;

	if (has_v)
		check_scaled_value(c, "/value", scale, v,
		                   json_object_get(metric, "range"), name);
	if (scale != NULL && strcmp(scale, "range") == 0 &&
	    num(json_object_get(json_object_get(metric, "range"), "min"),
	        &lo) &&
	    num(json_object_get(json_object_get(metric, "range"), "max"),
	        &hi) &&
	    lo >= hi)
		ERR(c, "/metric/range", "range",
		    "range.min must be below range.max");
	if (name != NULL && scale != NULL && strcmp(scale, "unbounded") == 0 &&
	    (strstr(name, "acc") != NULL || strstr(name, "pass@") != NULL ||
	     strstr(name, "exact_match") != NULL))
		WARN(c, "/metric/scale", "suspicious_value",
		     "'%s' is a bounded metric; declare its scale", name);
	if (json_is_object(ci) && num(json_object_get(ci, "lower"), &lo) &&
	    num(json_object_get(ci, "upper"), &hi)) {
		if (lo > hi)
			ERR(c, "/uncertainty/ci", "range",
			    "confidence interval lower bound exceeds upper");
		else if (has_v && (v < lo || v > hi))
			WARN(c, "/uncertainty/ci", "suspicious_value",
			     "the value %g lies outside its confidence "
			     "interval [%g, %g]",
			     v, lo, hi);
		if (scale != NULL)
			check_scaled_value(c, "/uncertainty/ci/upper", scale,
			                   hi, json_object_get(metric, "range"),
			                   NULL);
	}
	if (num(json_object_get(unc, "stderr"), &se) && has_v && se > 0 &&
	    scale != NULL && strcmp(scale, "fraction") == 0 && se > 0.5)
		WARN(c, "/uncertainty/stderr", "suspicious_value",
		     "a standard error above 0.5 on a fraction scale");
	if (num(json_object_get(pr, "temperature"), &t) && t > 2)
		WARN(c, "/prompting/temperature", "suspicious_value",
		     "temperature %g is unusually high", t);
	if (on != NULL && mf_time_parse_date(on, &days) == 0 &&
	    c->issued_us != INT64_MIN &&
	    days > c->issued_us / 1000000 / 86400 + 1)
		ERR(c, "/evaluated_on", "date_order",
		    "the evaluation date is after issued_at");
}

/* ------------------------------------------------------------------ */
/* Assessment                                                          */

static void
check_assessment(struct ctx *c, const json_t *doc)
{
	const json_t *scores = json_object_get(doc, "scores");
	const char *on = mf_json_str(doc, "assessed_on");
	const char *key;
	json_t *v;
	int64_t days;

	json_object_foreach((json_t *)scores, key, v)
	{
		if (!json_is_object(v))
			continue;
		if (json_object_get(v, "justification") == NULL) {
			struct mf_buf b = MF_BUF_INIT;

			if (mf_json_pointer_push(&b, "scores") == 0 &&
			    mf_json_pointer_push(&b, key) == 0) {
				WARN(c, b.data, "unjustified_score",
				     "a score without a justification is hard "
				     "to check");
			}
			mf_buf_dispose(&b);
		}
	}
	if (on != NULL && mf_time_parse_date(on, &days) == 0 &&
	    c->issued_us != INT64_MIN &&
	    days > c->issued_us / 1000000 / 86400 + 1)
		ERR(c, "/assessed_on", "date_order",
		    "the assessment date is after issued_at");
}

/* ------------------------------------------------------------------ */
/* Key events                                                          */

static void
check_key_event(struct ctx *c, const json_t *doc)
{
	const json_t *key = json_object_get(doc, "key");
	const char *pem = mf_json_str(key, "public_key");
	const char *claimed = mf_json_str(key, "keyid");
	const char *replaces = mf_json_str(doc, "replaces");
	const char *not_after = mf_json_str(key, "not_after");
	const char *since = mf_json_str(doc, "compromised_since");
	struct mf_key *k = NULL;
	struct mf_error kerr;
	const char *id;
	int64_t us;

	mf_error_init(&kerr);
	if (pem != NULL) {
		if (mf_key_parse_public(&k, pem, strlen(pem), &kerr) != 0) {
			if (kerr.code == MF_E_NOMEM)
				c->rc = MF_E_NOMEM;
			ERR(c, "/key/public_key", "bad_key", "%s",
			    kerr.message);
		} else {
			id = mf_key_id(k);
			if (claimed != NULL && strcmp(claimed, id) != 0)
				ERR(c, "/key/keyid", "keyid_mismatch",
				    "keyid does not match the public key (its "
				    "id is %s)",
				    id);
			if (replaces != NULL && strcmp(replaces, id) == 0)
				ERR(c, "/replaces", "rotation",
				    "a key cannot replace itself");
		}
	}
	mf_key_free(k);
	mf_error_dispose(&kerr);
	if (not_after != NULL && c->issued_us != INT64_MIN &&
	    mf_time_parse_rfc3339(not_after, &us) == 0 && us <= c->issued_us)
		ERR(c, "/key/not_after", "date_order",
		    "the key expires before the event is issued");
	if (since != NULL && c->issued_us != INT64_MIN &&
	    mf_time_parse_rfc3339(since, &us) == 0 && us > c->issued_us)
		ERR(c, "/compromised_since", "date_order",
		    "compromised_since is after issued_at");
}

/* ------------------------------------------------------------------ */

int
mf_semantic_check(const json_t *payload, int type,
                  const struct mf_semantic_options *opt,
                  struct mf_doc_report *rep)
{
	struct ctx c;
	struct mf_buf ptr;

	memset(&c, 0, sizeof(c));
	c.rep = rep;
	c.now_ms =
	    opt != NULL && opt->now_ms != 0 ? opt->now_ms : mf_time_now_ms();
	c.issued_us = INT64_MIN;
	if (!json_is_object(payload)) {
		ERR(&c, "", "type", "a payload is a JSON object");
		return c.rc;
	}
	mf_buf_init(&ptr, 16384);
	if (mf_buf_puts(&ptr, "") != 0)
		return MF_E_NOMEM;
	walk(&c, &ptr, NULL, payload, false, 0);
	mf_buf_dispose(&ptr);
	check_header(&c, payload, type);
	switch (type) {
	case MF_DOC_DISCLOSURE:
		check_disclosure(&c, payload);
		break;
	case MF_DOC_EVAL_RESULT:
		check_eval(&c, payload);
		break;
	case MF_DOC_ASSESSMENT:
		check_assessment(&c, payload);
		break;
	case MF_DOC_KEY_EVENT:
		check_key_event(&c, payload);
		break;
	default:
		break;
	}
	return c.rc;
}
