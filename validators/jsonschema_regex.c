/*
 * "pattern" and "patternProperties" are ECMA-262 regular expressions; we
 * run them on PCRE2 (UTF + UCP, JIT when available) after translating the
 * constructs whose meaning differs.
 *
 * Translation (ECMA-262 meaning -> what PCRE2 is given):
 *   \d \D          ASCII digits only            -> [0-9] / [^0-9]
 *   \w \W          ASCII word characters only   -> [A-Za-z0-9_] / [^...]
 *   \b \B          ASCII word boundary          -> look-around on [A-Za-z0-9_]
 *   \s \S          ECMA white space + line terminators (Unicode), as a class
 *   .              any character but \n \r U+2028 U+2029
 *   $              end of input only            (PCRE2_DOLLAR_ENDONLY)
 *   [] and [^]     nothing / any character      (PCRE2_ALLOW_EMPTY_CLASS)
 *   \uXXXX \u{X}   code point (surrogate pairs joined) -> \x{...}
 *   \v \0          U+000B / U+0000
 *   \a \e \A \Z \z \G \h \H \V \R \X \C \N \Q \E \K \o \g  identity escapes
 *                  in ECMA (the letter itself), anchors or classes in PCRE2
 *   [ inside a class is escaped (PCRE2 would read "[:alpha:]" as POSIX)
 * Known deviations (also in validators/README.md): look-behind must have
 * a bounded length in PCRE2; PCRE2-only syntax that ECMA rejects (possessive
 * quantifiers, inline flags, atomic groups, recursion) is accepted rather
 * than refused; \p{...} uses PCRE2's property names (general categories and
 * scripts, short and long names).
 */
#include "validators/jsonschema_internal.h"

#include "common/buf.h"
#include "common/encoding.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WORD "A-Za-z0-9_"
#define NOT_WORD                                                               \
	"\\x{00}-\\x{2f}\\x{3a}-\\x{40}\\x{5b}-\\x{5e}\\x{60}\\x{7b}-\\x{"     \
	"10ffff}"
#define NOT_DIGIT "\\x{00}-\\x{2f}\\x{3a}-\\x{10ffff}"
#define SPACE                                                                  \
	"\\t\\n\\x{0b}\\f\\r \\x{a0}\\x{1680}\\x{2000}-\\x{200a}\\x{2028}"     \
	"\\x{2029}\\x{202f}\\x{205f}\\x{3000}\\x{feff}"
#define NOT_SPACE                                                              \
	"\\x{00}-\\x{08}\\x{0e}-\\x{1f}\\x{21}-\\x{9f}\\x{a1}-\\x{167f}"       \
	"\\x{1681}-\\x{1fff}\\x{200b}-\\x{2027}\\x{202a}-\\x{202e}"            \
	"\\x{2030}-\\x{205e}\\x{2060}-\\x{2fff}\\x{3001}-\\x{fefe}"            \
	"\\x{ff00}-\\x{10ffff}"
#define WORD_BOUNDARY                                                          \
	"(?:(?<=[" WORD "])(?![" WORD "])|(?<![" WORD "])(?=[" WORD "]))"
#define NOT_WORD_BOUNDARY                                                      \
	"(?:(?<=[" WORD "])(?=[" WORD "])|(?<![" WORD "])(?![" WORD "]))"

/* ECMA-262 long property names that PCRE2 10.42 only knows by their
 * short names. */
static const char *const long_props[][2] = {
    {"Letter", "L"},
    {"Cased_Letter", "L&"},
    {"Uppercase_Letter", "Lu"},
    {"Lowercase_Letter", "Ll"},
    {"Titlecase_Letter", "Lt"},
    {"Modifier_Letter", "Lm"},
    {"Other_Letter", "Lo"},
    {"Mark", "M"},
    {"Combining_Mark", "M"},
    {"Nonspacing_Mark", "Mn"},
    {"Spacing_Mark", "Mc"},
    {"Enclosing_Mark", "Me"},
    {"Number", "N"},
    {"Decimal_Number", "Nd"},
    {"digit", "Nd"},
    {"Letter_Number", "Nl"},
    {"Other_Number", "No"},
    {"Punctuation", "P"},
    {"punct", "P"},
    {"Connector_Punctuation", "Pc"},
    {"Dash_Punctuation", "Pd"},
    {"Open_Punctuation", "Ps"},
    {"Close_Punctuation", "Pe"},
    {"Initial_Punctuation", "Pi"},
    {"Final_Punctuation", "Pf"},
    {"Other_Punctuation", "Po"},
    {"Symbol", "S"},
    {"Math_Symbol", "Sm"},
    {"Currency_Symbol", "Sc"},
    {"Modifier_Symbol", "Sk"},
    {"Other_Symbol", "So"},
    {"Separator", "Z"},
    {"Space_Separator", "Zs"},
    {"Line_Separator", "Zl"},
    {"Paragraph_Separator", "Zp"},
    {"Other", "C"},
    {"Control", "Cc"},
    {"cntrl", "Cc"},
    {"Format", "Cf"},
    {"Surrogate", "Cs"},
    {"Private_Use", "Co"},
    {"Unassigned", "Cn"},
};

/*
 * \p{Name}, \p{General_Category=Name}, \p{gc=Name}, \p{Script=Name},
 * \p{sc=Name}: emits PCRE2's spelling. Returns the bytes consumed after
 * the backslash, or 0 to copy the escape unchanged.
 */
static size_t
property_escape(struct mf_buf *b, const char *p, const char *end, int *rc)
{
	const char *name, *close, *eq;
	size_t n, i;

	if (p + 2 >= end || p[1] != '{')
		return 0;
	name = p + 2;
	for (close = name; close < end && *close != '}'; close++)
		;
	if (close >= end)
		return 0;
	n = (size_t)(close - name);
	eq = memchr(name, '=', n);
	if (eq != NULL) {
		size_t kn = (size_t)(eq - name);

		if (!((kn == 16 && memcmp(name, "General_Category", 16) == 0) ||
		      (kn == 2 && memcmp(name, "gc", 2) == 0) ||
		      (kn == 6 && memcmp(name, "Script", 6) == 0) ||
		      (kn == 2 && memcmp(name, "sc", 2) == 0) ||
		      (kn == 17 &&
		       memcmp(name, "Script_Extensions", 17) == 0) ||
		      (kn == 3 && memcmp(name, "scx", 3) == 0)))
			return 0;
		n -= (size_t)(eq + 1 - name);
		name = eq + 1;
	}
	for (i = 0; i < sizeof(long_props) / sizeof(long_props[0]); i++) {
		if (strlen(long_props[i][0]) == n &&
		    memcmp(long_props[i][0], name, n) == 0) {
			*rc = mf_buf_printf(b, "\\%c{%s}", p[0],
			                    long_props[i][1]);
			return (size_t)(close - p) + 1;
		}
	}
	*rc = mf_buf_printf(b, "\\%c{%.*s}", p[0], (int)n, name);
	return (size_t)(close - p) + 1;
}

/* Reads n hex digits at s; -1 if they are not all there. */
static long
hexn(const char *s, const char *end, int n)
{
	long v = 0;
	int i, d;

	if (end - s < n)
		return -1;
	for (i = 0; i < n; i++) {
		if ((d = mf_hex_digit((unsigned char)s[i])) < 0)
			return -1;
		v = v * 16 + d;
	}
	return v;
}

/*
 * \u escapes: \uXXXX (a surrogate pair \uD83D\uDE00 is one code point)
 * and \u{X...}. Returns the bytes consumed after the backslash, or 0 when
 * this is not a valid \u escape (then it is an identity escape: 'u').
 */
static size_t
unicode_escape(const char *p, const char *end, long *cp)
{
	long hi, lo;
	const char *q;

	if (p + 1 < end && p[1] == '{') {
		*cp = 0;
		for (q = p + 2; q < end && *q != '}'; q++) {
			if (mf_hex_digit((unsigned char)*q) < 0 ||
			    *cp > 0x10FFFF)
				return 0;
			*cp = *cp * 16 + mf_hex_digit((unsigned char)*q);
		}
		if (q >= end || q == p + 2 || *cp > 0x10FFFF)
			return 0;
		return (size_t)(q - p) + 1;
	}
	if ((hi = hexn(p + 1, end, 4)) < 0)
		return 0;
	*cp = hi;
	if (hi >= 0xD800 && hi <= 0xDBFF && p + 6 < end && p[5] == '\\' &&
	    p[6] == 'u' && (lo = hexn(p + 7, end, 4)) >= 0xDC00 &&
	    lo <= 0xDFFF) {
		*cp = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
		return 11;
	}
	return 5;
}

char *
mf_js_regex_translate(const char *ecma, size_t len, size_t *out_len)
{
	struct mf_buf b = MF_BUF_INIT;
	const char *p = ecma, *end = ecma + len;
	bool in_class = false;
	int rc = 0;
	long cp;
	size_t n;

	while (p < end && rc == 0) {
		char c = *p;

		if (c == '\\' && p + 1 < end) {
			char e = p[1];

			switch (e) {
			case 'd':
				rc =
				    mf_buf_puts(&b, in_class ? "0-9" : "[0-9]");
				break;
			case 'D':
				rc = mf_buf_puts(&b, in_class ? NOT_DIGIT
				                              : "[^0-9]");
				break;
			case 'w':
				rc = mf_buf_puts(&b, in_class ? WORD
				                              : "[" WORD "]");
				break;
			case 'W':
				rc = mf_buf_puts(&b, in_class ? NOT_WORD
				                              : "[^" WORD "]");
				break;
			case 's':
				rc = mf_buf_puts(&b, in_class ? SPACE
				                              : "[" SPACE "]");
				break;
			case 'S':
				rc = mf_buf_puts(&b, in_class ? NOT_SPACE
				                              : "[" NOT_SPACE
				                                "]");
				break;
			case 'b':
				rc = mf_buf_puts(&b, in_class ? "\\x{08}"
				                              : WORD_BOUNDARY);
				break;
			case 'B':
				rc = mf_buf_puts(
				    &b, in_class ? "B" : NOT_WORD_BOUNDARY);
				break;
			case 'v':
				rc = mf_buf_puts(&b, "\\x{0b}");
				break;
			case '0':
				if (p + 2 < end && p[2] >= '0' && p[2] <= '9')
					rc = mf_buf_puts(&b, "\\0");
				else
					rc = mf_buf_puts(&b, "\\x{00}");
				break;
			case 'u':
				n = unicode_escape(p + 1, end, &cp);
				if (n == 0) {
					rc = mf_buf_putc(&b, 'u');
				} else {
					rc = mf_buf_printf(&b, "\\x{%lx}", cp);
					p += n - 1; /* p += 2 below */
				}
				break;
			case 'p':
			case 'P':
				n = property_escape(&b, p + 1, end, &rc);
				if (n == 0)
					rc = mf_buf_append(&b, p, 2);
				else
					p += n - 1; /* p += 2 below */
				break;
			case 'a':
			case 'e':
			case 'A':
			case 'Z':
			case 'z':
			case 'G':
			case 'h':
			case 'H':
			case 'V':
			case 'R':
			case 'X':
			case 'C':
			case 'N':
			case 'Q':
			case 'E':
			case 'K':
			case 'o':
			case 'g':
				rc = mf_buf_putc(&b, e);
				break;
			default:
				rc = mf_buf_append(&b, p, 2);
				break;
			}
			p += 2;
			continue;
		}
		if (in_class) {
			if (c == ']') {
				in_class = false;
			} else if (c == '[') {
				rc = mf_buf_puts(&b, "\\[");
				p++;
				continue;
			}
			rc = mf_buf_putc(&b, c);
			p++;
			continue;
		}
		if (c == '[') {
			in_class = true;
			rc = mf_buf_putc(&b, '[');
			p++;
			/* A leading ^ and a ] right after [ or [^ belong to
			 * the class syntax; copy them so the ] is not taken
			 * as the end (PCRE2_ALLOW_EMPTY_CLASS agrees). */
			if (p < end && *p == '^') {
				rc |= mf_buf_putc(&b, '^');
				p++;
			}
			if (p < end && *p == ']') {
				rc |= mf_buf_putc(&b, ']');
				in_class = false;
				p++;
			}
			continue;
		}
		if (c == '.') {
			rc = mf_buf_puts(&b, "[^\\n\\r\\x{2028}\\x{2029}]");
			p++;
			continue;
		}
		rc = mf_buf_putc(&b, c);
		p++;
	}
	if (rc == 0 && b.data == NULL)
		rc = mf_buf_puts(&b, "");
	if (rc != 0) {
		mf_buf_dispose(&b);
		return NULL;
	}
	return mf_buf_detach(&b, out_len);
}

int
mf_js_regex_compile(pcre2_code **out, const char *ecma, size_t len, char *msg,
                    size_t msg_len)
{
	char *pcre;
	size_t plen;
	int errcode;
	PCRE2_SIZE erroff;
	pcre2_code *re;

	*out = NULL;
	pcre = mf_js_regex_translate(ecma, len, &plen);
	if (pcre == NULL)
		return MF_E_NOMEM;
	re = pcre2_compile((PCRE2_SPTR)pcre, plen,
	                   PCRE2_UTF | PCRE2_UCP | PCRE2_DOLLAR_ENDONLY |
	                       PCRE2_ALLOW_EMPTY_CLASS,
	                   &errcode, &erroff, NULL);
	free(pcre);
	if (re == NULL) {
		PCRE2_UCHAR text[200];

		pcre2_get_error_message(errcode, text, sizeof(text));
		snprintf(msg, msg_len, "%s", (const char *)text);
		return MF_E_SCHEMA;
	}
	/* JIT is an optimisation only: without it, matching still works. */
	(void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
	*out = re;
	return 0;
}

/*
 * Match data is per thread (pthread key), so matching allocates nothing
 * after a thread's first match and compiled patterns are shared freely.
 */
static pthread_key_t md_key;
static pthread_once_t md_once = PTHREAD_ONCE_INIT;
static int md_key_ok;

static void
md_free(void *md)
{
	pcre2_match_data_free(md);
}

static void
md_init(void)
{
	md_key_ok = pthread_key_create(&md_key, md_free) == 0;
}

bool
mf_js_regex_search(const pcre2_code *re, const char *s, size_t len)
{
	pcre2_match_data *md = NULL, *own = NULL;
	int rc;

	pthread_once(&md_once, md_init);
	if (md_key_ok)
		md = pthread_getspecific(md_key);
	if (md == NULL) {
		/* One pair is enough: we only ask whether it matches. */
		md = pcre2_match_data_create(1, NULL);
		if (md == NULL)
			return false;
		if (!md_key_ok || pthread_setspecific(md_key, md) != 0)
			own = md;
	}
	rc = pcre2_match(re, (PCRE2_SPTR)s, len, 0, 0, md, NULL);
	pcre2_match_data_free(own);
	/* 0 means "matched, ovector too small": still a match. */
	return rc >= 0;
}
