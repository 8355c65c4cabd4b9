/* Base64 and hex (see encoding.h). */
#include "common/encoding.h"
#include "common/error.h"

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
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
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

/* Value of one base64 digit in either alphabet, or -1. */
static int
b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

int
mf_base64_decode(uint8_t **out, size_t *out_len, const char *in, size_t n)
{
	size_t digits = n, pad = 0, i, o = 0;
	uint32_t acc = 0;
	uint8_t *p;
	int bits = 0, v;

	*out = NULL;
	*out_len = 0;
	while (digits > 0 && in[digits - 1] == '=') {
		digits--;
		pad++;
	}
	if (pad > 2 || (pad > 0 && n % 4 != 0) || digits % 4 == 1)
		return MF_E_BAD_BASE64;
	if (pad > 0 && (digits + pad) % 4 != 0)
		return MF_E_BAD_BASE64;
	if ((p = malloc(digits / 4 * 3 + 3)) == NULL)
		return MF_E_NOMEM;
	for (i = 0; i < digits; i++) {
		if ((v = b64_value((unsigned char)in[i])) < 0) {
			free(p);
			return MF_E_BAD_BASE64;
		}
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			p[o++] = (uint8_t)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	/* Leftover bits must be zero, so each byte string has one encoding. */
	if (acc != 0) {
		free(p);
		return MF_E_BAD_BASE64;
	}
	p[o] = 0;
	*out = p;
	*out_len = o;
	return 0;
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

static int
hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
mf_hex_decode(uint8_t *out, size_t n, const char *in)
{
	size_t i;
	int hi, lo;

	for (i = 0; i < n; i++) {
		hi = hex_value(in[2 * i]);
		lo = hi < 0 ? -1 : hex_value(in[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return in[2 * n] == '\0' ? 0 : -1;
}
