/*
 * The character policy of labels (see text.h): one UTF-8 decoder and one
 * classification, so Markdown and HTML treat every code point alike.
 */
#include "labels/text.h"

#include "common/encoding.h"
#include "common/slug.h"

#include <string.h>

size_t
mf_label_utf8_next(const char *s, size_t len, uint32_t *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	uint32_t c, min;
	size_t n, i;

	if (u[0] < 0x80) {
		*cp = u[0];
		return 1;
	}
	if (u[0] >= 0xC2 && u[0] <= 0xDF) {
		n = 2;
		c = u[0] & 0x1F;
		min = 0x80;
	} else if (u[0] >= 0xE0 && u[0] <= 0xEF) {
		n = 3;
		c = u[0] & 0x0F;
		min = 0x800;
	} else if (u[0] >= 0xF0 && u[0] <= 0xF4) {
		n = 4;
		c = u[0] & 0x07;
		min = 0x10000;
	} else {
		goto bad;
	}
	if (len < n)
		goto bad;
	for (i = 1; i < n; i++) {
		if ((u[i] & 0xC0) != 0x80)
			goto bad;
		c = (c << 6) | (u[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		goto bad;
	*cp = c;
	return n;
bad:
	*cp = MF_LABEL_INVALID;
	return 1;
}

enum mf_label_char
mf_label_char_class(uint32_t cp)
{
	if (cp == ' ' || (cp >= 0x09 && cp <= 0x0D) || cp == 0x85 ||
	    cp == 0xA0 || cp == 0x2028 || cp == 0x2029)
		return MF_LABEL_CHAR_SPACE;
	if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F))
		return MF_LABEL_CHAR_BAD;
	if ((cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069))
		return MF_LABEL_CHAR_BAD;
	if (cp == 0xFFFE || cp == 0xFFFF || cp > 0x10FFFF)
		return MF_LABEL_CHAR_BAD;
	return MF_LABEL_CHAR_PLAIN;
}

size_t
mf_label_plain_run(const char *s, size_t len, const unsigned char stop[128])
{
	size_t n = 0;
	unsigned char c;

	for (; n < len; n++) {
		c = (unsigned char)s[n];
		if (c < 0x20 || c > 0x7E || stop[c])
			break;
	}
	return n;
}

/* ASCII-only, so the result never depends on the locale. */
static bool
prefix_nocase(const char *s, const char *lower_prefix)
{
	for (; *lower_prefix; s++, lower_prefix++) {
		char c = *s;

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != *lower_prefix)
			return false;
	}
	return true;
}

static bool
is_hex(char c)
{
	return mf_hex_digit((unsigned char)c) >= 0;
}

static bool
url_char_ok(char c)
{
	if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9'))
		return true;
	return c != '\0' && strchr("-._~:/?#@!$&+,;=*", c) != NULL;
}

bool
mf_label_url_linkable(const char *url)
{
	size_t i, start;

	if (url == NULL)
		return false;
	if (prefix_nocase(url, "http://"))
		start = 7;
	else if (prefix_nocase(url, "https://"))
		start = 8;
	else
		return false;
	/* The host must be there: "http:///x" and "http://?" are not. */
	if (url[start] == '\0' || strchr("/?#", url[start]) != NULL)
		return false;
	for (i = start; url[i] != '\0'; i++) {
		if (i >= 2048)
			return false;
		if (url[i] == '%') {
			if (!is_hex(url[i + 1]) || !is_hex(url[i + 2]))
				return false;
			i += 2;
			continue;
		}
		if (!url_char_ok(url[i]))
			return false;
	}
	return true;
}

bool
mf_label_slug_ok(const char *s)
{
	return s != NULL && mf_slug_valid(s);
}
