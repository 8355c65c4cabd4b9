/* Base64 and hex (see encoding.h). */
#include "common/encoding.h"
#include "common/error.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static const char b64_std[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t
mf_base64_encoded_len(size_t n)
{
	return (n + 2) / 3 * 4;
}

void
mf_base64_encode(char *out, const uint8_t *in, size_t n)
{
	size_t i;
	uint32_t v;

	for (i = 0; i + 3 <= n; i += 3) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 |
		    in[i + 2];
		*out++ = b64_std[v >> 18 & 63];
		*out++ = b64_std[v >> 12 & 63];
		*out++ = b64_std[v >> 6 & 63];
		*out++ = b64_std[v & 63];
	}
	if (n - i == 1) {
		v = (uint32_t)in[i] << 16;
		*out++ = b64_std[v >> 18 & 63];
		*out++ = b64_std[v >> 12 & 63];
		*out++ = '=';
		*out++ = '=';
	} else if (n - i == 2) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
		*out++ = b64_std[v >> 18 & 63];
		*out++ = b64_std[v >> 12 & 63];
		*out++ = b64_std[v >> 6 & 63];
		*out++ = '=';
	}
	*out = '\0';
}

char *
mf_base64_encode_alloc(const uint8_t *in, size_t n)
{
	char *s = malloc(mf_base64_encoded_len(n) + 1);

	if (s != NULL)
		mf_base64_encode(s, in, n);
	return s;
}

/* Digit values in either alphabet; 0xff marks everything else. */
static unsigned char b64_table[256];

static void
b64_table_init(void)
{
	static const char url[] = "-_";
	int i;

	memset(b64_table, 0xff, sizeof(b64_table));
	for (i = 0; i < 64; i++)
		b64_table[(unsigned char)b64_std[i]] = (unsigned char)i;
	b64_table[(unsigned char)url[0]] = 62;
	b64_table[(unsigned char)url[1]] = 63;
}

int
mf_base64_decode(uint8_t **out, size_t *out_len, const char *in, size_t n)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	const unsigned char *s = (const unsigned char *)in;
	size_t digits = n, pad = 0, i, o = 0, rest;
	uint32_t v, a, b, c, d;
	uint8_t *p;

	pthread_once(&once, b64_table_init);
	*out = NULL;
	*out_len = 0;
	while (digits > 0 && in[digits - 1] == '=') {
		digits--;
		pad++;
	}
	if (pad > 2 || (pad > 0 && n % 4 != 0) || digits % 4 == 1)
		return MF_E_BAD_BASE64;
	if ((p = malloc(digits / 4 * 3 + 3)) == NULL)
		return MF_E_NOMEM;
	/* Four digits make three bytes; any invalid digit sets bit 0x80+. */
	for (i = 0; i + 4 <= digits; i += 4) {
		a = b64_table[s[i]];
		b = b64_table[s[i + 1]];
		c = b64_table[s[i + 2]];
		d = b64_table[s[i + 3]];
		if ((a | b | c | d) & 0x80)
			goto bad;
		v = a << 18 | b << 12 | c << 6 | d;
		p[o++] = (uint8_t)(v >> 16);
		p[o++] = (uint8_t)(v >> 8);
		p[o++] = (uint8_t)v;
	}
	rest = digits - i;
	if (rest > 0) {
		a = b64_table[s[i]];
		b = b64_table[s[i + 1]];
		c = rest == 3 ? b64_table[s[i + 2]] : 0;
		if ((a | b | c) & 0x80)
			goto bad;
		v = a << 18 | b << 12 | c << 6;
		/* Leftover bits must be zero: one encoding per byte string. */
		if ((rest == 2 && (v & 0xffff)) || (rest == 3 && (v & 0xff)))
			goto bad;
		p[o++] = (uint8_t)(v >> 16);
		if (rest == 3)
			p[o++] = (uint8_t)(v >> 8);
	}
	p[o] = 0;
	*out = p;
	*out_len = o;
	return 0;
bad:
	free(p);
	return MF_E_BAD_BASE64;
}

void
mf_hex_encode(char *out, const uint8_t *in, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

int
mf_hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool
mf_hex_is_lower(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		      (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

int
mf_hex_decode(uint8_t *out, size_t n, const char *in)
{
	size_t i;
	int hi, lo;

	for (i = 0; i < n; i++) {
		hi = mf_hex_digit(in[2 * i]);
		lo = hi < 0 ? -1 : mf_hex_digit(in[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return in[2 * n] == '\0' ? 0 : -1;
}

size_t
mf_utf8_char_len(const unsigned char *s, size_t n)
{
	unsigned char lo = 0x80, hi = 0xbf; /* the second byte's range */
	size_t len, i;

	if (n == 0)
		return 0;
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4;
	else
		return 0;
	if (s[0] == 0xe0)
		lo = 0xa0; /* overlong below U+0800 */
	else if (s[0] == 0xed)
		hi = 0x9f; /* the surrogates U+D800-DFFF */
	else if (s[0] == 0xf0)
		lo = 0x90; /* overlong below U+10000 */
	else if (s[0] == 0xf4)
		hi = 0x8f; /* past U+10FFFF */
	if (len > n || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return len;
}
