/*
 * The "format" values we assert: date and date-time (RFC 3339, through
 * common/timeutil.h), uri (RFC 3986 absolute URI), email (the RFC 5321
 * Mailbox subset described below) and uuid (RFC 4122 text form). Every
 * other format name is an annotation only.
 */
#include "validators/jsonschema_internal.h"

#include "common/encoding.h"
#include "common/timeutil.h"

#include <string.h>

static const char *const format_names[] = {
    [MF_JS_FORMAT_NONE] = "",
    [MF_JS_FORMAT_DATE] = "date",
    [MF_JS_FORMAT_DATE_TIME] = "date-time",
    [MF_JS_FORMAT_URI] = "uri",
    [MF_JS_FORMAT_EMAIL] = "email",
    [MF_JS_FORMAT_UUID] = "uuid",
};

enum mf_js_format
mf_js_format_lookup(const char *name)
{
	size_t i;

	for (i = 1; i < sizeof(format_names) / sizeof(format_names[0]); i++)
		if (strcmp(name, format_names[i]) == 0)
			return (enum mf_js_format)i;
	return MF_JS_FORMAT_NONE;
}

static bool
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static bool
is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool
is_hex(int c)
{
	return mf_hex_digit(c) >= 0;
}

/* dec-octet "." dec-octet "." dec-octet "." dec-octet, no leading zeros */
bool
mf_js_is_ipv4(const char *s, size_t len)
{
	size_t i = 0;
	int part, digits, v;

	for (part = 0; part < 4; part++) {
		if (part > 0) {
			if (i >= len || s[i] != '.')
				return false;
			i++;
		}
		for (digits = 0, v = 0; i < len && is_digit(s[i]); i++) {
			if (++digits > 3)
				return false;
			v = v * 10 + (s[i] - '0');
		}
		if (digits == 0 || v > 255 ||
		    (digits > 1 && s[i - digits] == '0'))
			return false;
	}
	return i == len;
}

/* RFC 4291 text form, with an optional trailing dotted IPv4 address. */
bool
mf_js_is_ipv6(const char *s, size_t len)
{
	size_t i = 0, start;
	int groups = 0, hexd;
	bool compressed = false;

	if (len >= 2 && s[0] == ':' && s[1] == ':') {
		compressed = true;
		i = 2;
		if (i == len)
			return true;
	} else if (len > 0 && s[0] == ':') {
		return false;
	}
	while (i < len) {
		start = i;
		for (hexd = 0; i < len && is_hex(s[i]); i++)
			hexd++;
		if (i < len && s[i] == '.') {
			/* The last 32 bits as an IPv4 address. */
			if (!mf_js_is_ipv4(s + start, len - start))
				return false;
			groups += 2;
			i = len;
			break;
		}
		if (hexd == 0 || hexd > 4)
			return false;
		groups++;
		if (i == len)
			break;
		if (s[i] != ':')
			return false;
		i++;
		if (i < len && s[i] == ':') {
			if (compressed)
				return false;
			compressed = true;
			i++;
			if (i == len)
				break;
		} else if (i == len) {
			return false; /* trailing single ':' */
		}
	}
	return compressed ? groups < 8 : groups == 8;
}

/* RFC 3986 character classes. */
static bool
is_unreserved(int c)
{
	return is_alpha(c) || is_digit(c) || c == '-' || c == '.' || c == '_' ||
	       c == '~';
}

static bool
is_sub_delim(int c)
{
	return c != '\0' && strchr("!$&'()*+,;=", c) != NULL;
}

/*
 * Checks s[*i..end) for characters of the given kind (unreserved,
 * pct-encoded, sub-delims and the extra characters), up to the first
 * character that is none of them.
 */
static bool
scan(const char *s, size_t *i, size_t end, const char *extra)
{
	while (*i < end) {
		int c = (unsigned char)s[*i];

		if (c == '%') {
			if (*i + 2 >= end || !is_hex(s[*i + 1]) ||
			    !is_hex(s[*i + 2]))
				return false;
			*i += 3;
		} else if (is_unreserved(c) || is_sub_delim(c) ||
		           (c != '\0' && strchr(extra, c) != NULL)) {
			(*i)++;
		} else {
			break;
		}
	}
	return true;
}

static bool
is_ip_literal(const char *s, size_t len)
{
	size_t i = 1;

	if (len >= 2 && (s[0] == 'v' || s[0] == 'V')) {
		/* IPvFuture: "v" 1*HEXDIG "." 1*( unreserved / sub-delims /
		 * ":" ) */
		while (i < len && is_hex(s[i]))
			i++;
		if (i == 1 || i >= len || s[i] != '.')
			return false;
		i++;
		if (i == len)
			return false;
		for (; i < len; i++)
			if (!is_unreserved(s[i]) && !is_sub_delim(s[i]) &&
			    s[i] != ':')
				return false;
		return true;
	}
	return mf_js_is_ipv6(s, len);
}

static bool
check_uri(const char *s, size_t len)
{
	size_t i = 0, j, auth_end;

	/* scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) */
	if (len == 0 || !is_alpha(s[0]))
		return false;
	for (i = 1; i < len && (is_alpha(s[i]) || is_digit(s[i]) ||
	                        s[i] == '+' || s[i] == '-' || s[i] == '.');
	     i++)
		;
	if (i >= len || s[i] != ':')
		return false;
	i++;
	if (i + 1 < len && s[i] == '/' && s[i + 1] == '/') {
		i += 2;
		for (auth_end = i; auth_end < len && s[auth_end] != '/' &&
		                   s[auth_end] != '?' && s[auth_end] != '#';
		     auth_end++)
			;
		/* userinfo "@", if any (the last '@' in the authority) */
		for (j = auth_end; j > i && s[j - 1] != '@'; j--)
			;
		if (j > i) {
			size_t u = i;

			if (!scan(s, &u, j - 1, ":") || u != j - 1)
				return false;
			i = j;
		}
		if (i < auth_end && s[i] == '[') {
			for (j = i; j < auth_end && s[j] != ']'; j++)
				;
			if (j >= auth_end ||
			    !is_ip_literal(s + i + 1, j - i - 1))
				return false;
			i = j + 1;
		} else {
			if (!scan(s, &i, auth_end, ""))
				return false;
		}
		if (i < auth_end && s[i] == ':') {
			for (i++; i < auth_end && is_digit(s[i]); i++)
				;
		}
		if (i != auth_end)
			return false;
	}
	/* path: pchars and '/' */
	if (!scan(s, &i, len, ":@/"))
		return false;
	if (i < len && s[i] == '?') {
		i++;
		if (!scan(s, &i, len, ":@/?"))
			return false;
	}
	if (i < len && s[i] == '#') {
		i++;
		if (!scan(s, &i, len, ":@/?"))
			return false;
	}
	return i == len;
}

/* A DNS host name: labels of letters, digits and inner hyphens. */
static bool
is_hostname(const char *s, size_t len)
{
	size_t i, label = 0;

	if (len == 0 || len > 253)
		return false;
	for (i = 0; i < len; i++) {
		if (s[i] == '.') {
			if (label == 0 || s[i - 1] == '-')
				return false;
			label = 0;
			continue;
		}
		if (!is_alpha(s[i]) && !is_digit(s[i]) && s[i] != '-')
			return false;
		if (s[i] == '-' && label == 0)
			return false;
		if (++label > 63)
			return false;
	}
	return label > 0 && s[len - 1] != '-';
}

/*
 * RFC 5321 Mailbox = Local-part "@" ( Domain / address-literal ), ASCII
 * only: the local part is a dot-atom or a quoted string, the domain a
 * host name or [IPv4] / [IPv6:...]. Comments and folding white space
 * (RFC 5322) are not accepted.
 */
static bool
check_email(const char *s, size_t len)
{
	static const char atext[] = "!#$%&'*+-/=?^_`{|}~";
	size_t i = 0, at;

	if (len == 0 || len > 254)
		return false;
	if (s[0] == '"') {
		for (i = 1; i < len && s[i] != '"'; i++) {
			if (s[i] == '\\') {
				i++;
				if (i >= len || s[i] < 32 || s[i] > 126)
					return false;
			} else if (s[i] < 32 || s[i] > 126) {
				return false;
			}
		}
		if (i >= len)
			return false;
		i++;
	} else {
		for (; i < len && s[i] != '@'; i++) {
			if (s[i] == '.') {
				if (i == 0 || s[i - 1] == '.' || i + 1 >= len ||
				    s[i + 1] == '@')
					return false;
			} else if (!is_alpha(s[i]) && !is_digit(s[i]) &&
			           (s[i] == '\0' ||
			            strchr(atext, s[i]) == NULL)) {
				return false;
			}
		}
		if (i == 0)
			return false;
	}
	if (i > 64 || i >= len || s[i] != '@')
		return false;
	at = i + 1;
	if (at >= len)
		return false;
	if (s[at] == '[') {
		if (s[len - 1] != ']')
			return false;
		if (len - at > 6 && strncmp(s + at + 1, "IPv6:", 5) == 0)
			return mf_js_is_ipv6(s + at + 6, len - at - 7);
		return mf_js_is_ipv4(s + at + 1, len - at - 2);
	}
	return is_hostname(s + at, len - at);
}

static bool
check_uuid(const char *s, size_t len)
{
	size_t i;

	if (len != 36)
		return false;
	for (i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return false;
		} else if (!is_hex(s[i])) {
			return false;
		}
	}
	return true;
}

bool
mf_js_format_check(enum mf_js_format f, const char *s, size_t len)
{
	int64_t v;

	/* An embedded NUL is never part of any of these formats. */
	if (memchr(s, '\0', len) != NULL)
		return false;
	switch (f) {
	case MF_JS_FORMAT_DATE:
		return mf_time_parse_date(s, &v) == 0;
	case MF_JS_FORMAT_DATE_TIME:
		return mf_time_parse_rfc3339(s, &v) == 0;
	case MF_JS_FORMAT_URI:
		return check_uri(s, len);
	case MF_JS_FORMAT_EMAIL:
		return check_email(s, len);
	case MF_JS_FORMAT_UUID:
		return check_uuid(s, len);
	default:
		return true;
	}
}
