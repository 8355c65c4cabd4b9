/*
 * The strict JSON parser behind mf_json_parse (common/json.h). It builds
 * the same jansson values, and accepts and rejects the same texts, as
 * jansson's own decoder with JSON_DECODE_ANY | JSON_REJECT_DUPLICATES
 * (mf_json_parse_reference): jansson's lexer reads one byte at a time
 * through a callback, which makes long strings (base64 payloads) cost
 * tens of nanoseconds per byte; here strings are scanned 8 bytes at a
 * time. The differential tests and the fuzz target hold the two parsers
 * to the same answers, with one known exception: jansson 2.14 lets a
 * single NUL byte through right after a number ("[1\0]" parses as [1]);
 * here a NUL byte outside a string is always an error.
 */
#include "common/json.h"
#include "common/encoding.h"

#include <stdbool.h>
#include <stdint.h>

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Eight bytes at p as one word, for scanning strings a word at a time. */
static inline uint64_t
load8(const void *p)
{
	uint64_t w;

	memcpy(&w, p, 8);
	return w;
}

/* jansson's JSON_PARSER_MAX_DEPTH */
#define PARSE_MAX_DEPTH 2048

struct parser {
	const char *start, *p, *end;
	int depth;
	int code; /* MF_E_* once failed */
	char msg[160];
	const char *at; /* where it failed */
	char *scratch;  /* decoded strings with escapes */
	size_t scratch_cap;
};

static void fail(struct parser *ps, int code, const char *at, const char *fmt,
                 ...) __attribute__((format(printf, 4, 5)));

static void
fail(struct parser *ps, int code, const char *at, const char *fmt, ...)
{
	va_list ap;

	if (ps->code != 0)
		return;
	ps->code = code;
	ps->at = at;
	va_start(ap, fmt);
	vsnprintf(ps->msg, sizeof(ps->msg), fmt, ap);
	va_end(ap);
}

static inline void
skip_ws(struct parser *ps)
{
	while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\n' ||
	                           *ps->p == '\r' || *ps->p == '\t'))
		ps->p++;
}

/* Length of a valid UTF-8 sequence at s (strict: no overlongs, no
 * surrogates, at most U+10FFFF), or 0. */
static size_t
utf8_seq(const unsigned char *s, const unsigned char *end)
{
	unsigned c = s[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		return end - s >= 2 && (s[1] & 0xC0) == 0x80 ? 2 : 0;
	if (c >= 0xE0 && c <= 0xEF) {
		if (end - s < 3 || (s[1] & 0xC0) != 0x80 ||
		    (s[2] & 0xC0) != 0x80)
			return 0;
		if ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] >= 0xA0))
			return 0;
		return 3;
	}
	if (c >= 0xF0 && c <= 0xF4) {
		if (end - s < 4 || (s[1] & 0xC0) != 0x80 ||
		    (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80)
			return 0;
		if ((c == 0xF0 && s[1] < 0x90) || (c == 0xF4 && s[1] >= 0x90))
			return 0;
		return 4;
	}
	return 0;
}

#define ONES  0x0101010101010101ull
#define HIGHS 0x8080808080808080ull

/*
 * Non-zero when one of 8 bytes is '"', '\\', a control character or
 * non-ASCII (the classic "has zero byte" / "has byte less than" tricks; a
 * borrow may flag a byte after a real hit, which only means the slow path
 * starts a little early).
 */
static inline uint64_t
special_bytes(uint64_t v)
{
	uint64_t q = v ^ (ONES * '"'), b = v ^ (ONES * '\\');

	return (((q - ONES) & ~q) | ((b - ONES) & ~b) |
	        ((v - ONES * 0x20) & ~v) | v) &
	       HIGHS;
}

static int
scratch_reserve(struct parser *ps, size_t n)
{
	char *s;

	if (n <= ps->scratch_cap)
		return 0;
	s = realloc(ps->scratch, n);
	if (s == NULL)
		return -1;
	ps->scratch = s;
	ps->scratch_cap = n;
	return 0;
}

static int
hex4(const char *s, const char *end)
{
	int v = 0, i, d;

	if (end - s < 4)
		return -1;
	for (i = 0; i < 4; i++) {
		if ((d = mf_hex_digit((unsigned char)s[i])) < 0)
			return -1;
		v = v * 16 + d;
	}
	return v;
}

static size_t
put_utf8(char *out, long cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/*
 * The length of the unescaped character at s inside a string, or 0 after
 * reporting a control character or invalid UTF-8.
 */
static size_t
string_char(struct parser *ps, const char *s)
{
	size_t k;

	if ((unsigned char)*s < 0x20) {
		fail(ps, MF_E_BAD_JSON, s, "control character 0x%x",
		     (unsigned char)*s);
		return 0;
	}
	k = utf8_seq((const unsigned char *)s, (const unsigned char *)ps->end);
	if (k == 0)
		fail(ps, MF_E_BAD_UTF8, s, "invalid UTF-8");
	return k;
}

/*
 * Parses the string whose opening quote ps->p points at. On success
 * *out and *len give the decoded text: a pointer into the input when there
 * were no escapes, else into ps->scratch.
 */
static int
parse_string(struct parser *ps, const char **out, size_t *len)
{
	const char *s = ps->p + 1, *run, *end = ps->end;
	size_t n = 0, k;
	bool escaped = false;

	for (;;) {
		/* The fast part: 8 plain bytes at a time. */
		while (end - s >= 8 && special_bytes(load8(s)) == 0)
			s += 8;
		if (s >= end) {
			fail(ps, MF_E_BAD_JSON, s, "premature end of input");
			return -1;
		}
		if (*s == '"')
			break;
		if (*s == '\\') {
			escaped = true;
			break;
		}
		if ((k = string_char(ps, s)) == 0)
			return -1;
		s += k;
	}
	if (!escaped) {
		*out = ps->p + 1;
		*len = (size_t)(s - ps->p - 1);
		ps->p = s + 1;
		return 0;
	}
	/* With escapes: decode into scratch (never longer than the input). */
	run = ps->p + 1;
	if (scratch_reserve(ps, (size_t)(end - run) + 4) != 0) {
		fail(ps, MF_E_NOMEM, s, "out of memory");
		return -1;
	}
	memcpy(ps->scratch, run, (size_t)(s - run));
	n = (size_t)(s - run);
	for (;;) {
		if (s >= end) {
			fail(ps, MF_E_BAD_JSON, s, "premature end of input");
			return -1;
		}
		if (*s == '"')
			break;
		if (*s == '\\') {
			long cp, lo;

			if (s + 1 >= end) {
				fail(ps, MF_E_BAD_JSON, s,
				     "premature end of input");
				return -1;
			}
			switch (s[1]) {
			case '"':
			case '\\':
			case '/':
				ps->scratch[n++] = s[1];
				break;
			case 'b':
				ps->scratch[n++] = '\b';
				break;
			case 'f':
				ps->scratch[n++] = '\f';
				break;
			case 'n':
				ps->scratch[n++] = '\n';
				break;
			case 'r':
				ps->scratch[n++] = '\r';
				break;
			case 't':
				ps->scratch[n++] = '\t';
				break;
			case 'u':
				if ((cp = hex4(s + 2, end)) < 0) {
					fail(ps, MF_E_BAD_JSON, s,
					     "invalid escape");
					return -1;
				}
				if (cp >= 0xD800 && cp <= 0xDBFF) {
					if (end - s < 12 || s[6] != '\\' ||
					    s[7] != 'u' ||
					    (lo = hex4(s + 8, end)) < 0xDC00 ||
					    lo > 0xDFFF) {
						fail(ps, MF_E_BAD_JSON, s,
						     "invalid Unicode "
						     "'\\u%04lX'",
						     cp);
						return -1;
					}
					cp = 0x10000 + ((cp - 0xD800) << 10) +
					     (lo - 0xDC00);
					s += 6;
				} else if (cp >= 0xDC00 && cp <= 0xDFFF) {
					fail(ps, MF_E_BAD_JSON, s,
					     "invalid Unicode '\\u%04lX'", cp);
					return -1;
				} else if (cp == 0) {
					fail(ps, MF_E_BAD_JSON, s,
					     "\\u0000 is not allowed");
					return -1;
				}
				n += put_utf8(ps->scratch + n, cp);
				s += 4;
				break;
			default:
				fail(ps, MF_E_BAD_JSON, s, "invalid escape");
				return -1;
			}
			s += 2;
			continue;
		}
		if ((k = string_char(ps, s)) == 0)
			return -1;
		memcpy(ps->scratch + n, s, k);
		n += k;
		s += k;
	}
	*out = ps->scratch;
	*len = n;
	ps->p = s + 1;
	return 0;
}

static json_t *
parse_number(struct parser *ps)
{
	const char *s = ps->p, *q = s, *end = ps->end;
	bool real = false;
	char buf[128], *heap = NULL, *text = buf, *stop;
	size_t n;
	json_t *v = NULL;

	if (q < end && *q == '-')
		q++;
	if (q < end && *q == '0') {
		q++;
	} else if (q < end && *q >= '1' && *q <= '9') {
		while (q < end && *q >= '0' && *q <= '9')
			q++;
	} else {
		fail(ps, MF_E_BAD_JSON, s, "invalid token");
		return NULL;
	}
	if (q < end && *q == '.') {
		real = true;
		q++;
		if (q >= end || *q < '0' || *q > '9') {
			fail(ps, MF_E_BAD_JSON, s, "invalid token");
			return NULL;
		}
		while (q < end && *q >= '0' && *q <= '9')
			q++;
	}
	if (q < end && (*q == 'e' || *q == 'E')) {
		real = true;
		q++;
		if (q < end && (*q == '+' || *q == '-'))
			q++;
		if (q >= end || *q < '0' || *q > '9') {
			fail(ps, MF_E_BAD_JSON, s, "invalid token");
			return NULL;
		}
		while (q < end && *q >= '0' && *q <= '9')
			q++;
	}
	n = (size_t)(q - s);
	if (n >= sizeof(buf)) {
		if ((heap = malloc(n + 1)) == NULL) {
			fail(ps, MF_E_NOMEM, s, "out of memory");
			return NULL;
		}
		text = heap;
	}
	memcpy(text, s, n);
	text[n] = '\0';
	errno = 0;
	if (!real) {
		long long i = strtoll(text, &stop, 10);

		if (errno == ERANGE)
			fail(ps, MF_E_BAD_JSON, s, "too big %s integer",
			     i < 0 ? "negative" : "");
		else
			v = json_integer(i);
	} else {
		double d = strtod(text, &stop);

		if (errno == ERANGE && (d > 1.0 || d < -1.0))
			fail(ps, MF_E_BAD_JSON, s, "real number overflow");
		else
			v = json_real(d);
	}
	free(heap);
	if (v == NULL && ps->code == 0)
		fail(ps, MF_E_NOMEM, s, "out of memory");
	ps->p = q;
	return v;
}

static bool
literal(struct parser *ps, const char *word, size_t n)
{
	if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
		return false;
	ps->p += n;
	return true;
}

static json_t *parse_value(struct parser *ps);

static json_t *
parse_object(struct parser *ps)
{
	json_t *obj = json_object(), *v;
	const char *key;
	size_t klen;
	char *kcopy;

	if (obj == NULL) {
		fail(ps, MF_E_NOMEM, ps->p, "out of memory");
		return NULL;
	}
	ps->p++; /* { */
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == '}') {
		ps->p++;
		return obj;
	}
	for (;;) {
		const char *at;

		skip_ws(ps);
		if (ps->p >= ps->end || *ps->p != '"') {
			fail(ps, MF_E_BAD_JSON, ps->p,
			     "string or '}' expected");
			goto bad;
		}
		at = ps->p;
		if (parse_string(ps, &key, &klen) != 0)
			goto bad;
		if (json_object_getn(obj, key, klen) != NULL) {
			fail(ps, MF_E_DUPLICATE_KEY, at,
			     "duplicate object key");
			goto bad;
		}
		/* The key may live in scratch, which the value reuses. */
		if ((kcopy = malloc(klen + 1)) == NULL) {
			fail(ps, MF_E_NOMEM, at, "out of memory");
			goto bad;
		}
		memcpy(kcopy, key, klen);
		kcopy[klen] = '\0';
		skip_ws(ps);
		if (ps->p >= ps->end || *ps->p != ':') {
			free(kcopy);
			fail(ps, MF_E_BAD_JSON, ps->p, "':' expected");
			goto bad;
		}
		ps->p++;
		v = parse_value(ps);
		if (v == NULL ||
		    json_object_setn_new_nocheck(obj, kcopy, klen, v) != 0) {
			free(kcopy);
			if (v != NULL)
				fail(ps, MF_E_NOMEM, ps->p, "out of memory");
			goto bad;
		}
		free(kcopy);
		skip_ws(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			continue;
		}
		if (ps->p < ps->end && *ps->p == '}') {
			ps->p++;
			return obj;
		}
		fail(ps, MF_E_BAD_JSON, ps->p, "'}' expected");
		goto bad;
	}
bad:
	json_decref(obj);
	return NULL;
}

static json_t *
parse_array(struct parser *ps)
{
	json_t *arr = json_array(), *v;

	if (arr == NULL) {
		fail(ps, MF_E_NOMEM, ps->p, "out of memory");
		return NULL;
	}
	ps->p++; /* [ */
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == ']') {
		ps->p++;
		return arr;
	}
	for (;;) {
		v = parse_value(ps);
		if (v == NULL || json_array_append_new(arr, v) != 0) {
			if (v != NULL)
				fail(ps, MF_E_NOMEM, ps->p, "out of memory");
			json_decref(arr);
			return NULL;
		}
		skip_ws(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			continue;
		}
		if (ps->p < ps->end && *ps->p == ']') {
			ps->p++;
			return arr;
		}
		fail(ps, MF_E_BAD_JSON, ps->p, "']' expected");
		json_decref(arr);
		return NULL;
	}
}

static json_t *
parse_value(struct parser *ps)
{
	const char *s;
	size_t len;
	json_t *v;

	skip_ws(ps);
	if (ps->p >= ps->end) {
		fail(ps, MF_E_BAD_JSON, ps->p, "premature end of input");
		return NULL;
	}
	switch (*ps->p) {
	case '{':
	case '[':
		if (++ps->depth > PARSE_MAX_DEPTH) {
			fail(ps, MF_E_BAD_JSON, ps->p,
			     "maximum parsing depth reached");
			return NULL;
		}
		v = *ps->p == '{' ? parse_object(ps) : parse_array(ps);
		ps->depth--;
		return v;
	case '"':
		if (parse_string(ps, &s, &len) != 0)
			return NULL;
		v = json_stringn_nocheck(s, len);
		if (v == NULL)
			fail(ps, MF_E_NOMEM, ps->p, "out of memory");
		return v;
	case 't':
		if (literal(ps, "true", 4))
			return json_true();
		break;
	case 'f':
		if (literal(ps, "false", 5))
			return json_false();
		break;
	case 'n':
		if (literal(ps, "null", 4))
			return json_null();
		break;
	default:
		if (*ps->p == '-' || (*ps->p >= '0' && *ps->p <= '9'))
			return parse_number(ps);
		break;
	}
	fail(ps, MF_E_BAD_JSON, ps->p, "invalid token");
	return NULL;
}

json_t *
mf_json_parse(const char *text, size_t len, const char *what,
              const char *pointer, struct mf_error *err)
{
	struct parser ps;
	json_t *v;

	memset(&ps, 0, sizeof(ps));
	ps.start = ps.p = text;
	ps.end = text + len;
	v = parse_value(&ps);
	if (v != NULL) {
		skip_ws(&ps);
		if (ps.p != ps.end) {
			fail(&ps, MF_E_BAD_JSON, ps.p, "end of file expected");
			json_decref(v);
			v = NULL;
		}
	}
	free(ps.scratch);
	if (v == NULL) {
		const char *q;
		int line = 1, col = 0;

		for (q = text; q < ps.at && q < ps.end; q++) {
			if (*q == '\n') {
				line++;
				col = 0;
			} else {
				col++;
			}
		}
		mf_error_set(err, ps.code ? ps.code : MF_E_BAD_JSON, pointer,
		             "%s: %s (line %d, column %d)",
		             what ? what : "JSON", ps.msg, line, col + 1);
	}
	return v;
}
