/*
 * Base64 (RFC 4648), lowercase hex, and the length of one UTF-8 character.
 * Base64 Decoding accepts both the standard
 * and the URL-safe alphabet, with or without padding (DESIGN.md §3), and
 * rejects everything else: whitespace, bad padding, non-zero trailing bits.
 */
#ifndef MF_ENCODING_H
#define MF_ENCODING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Length of the padded standard base64 of n bytes, without the NUL. */
size_t mf_base64_encoded_len(size_t n);
/* Writes padded standard base64 and a NUL; out holds encoded_len + 1. */
void mf_base64_encode(char *out, const uint8_t *in, size_t n);
/* Encodes into a new malloc'd string; NULL when out of memory. */
char *mf_base64_encode_alloc(const uint8_t *in, size_t n);

/*
 * Decodes in[0..n) into a new malloc'd buffer (*out, *out_len; a NUL
 * follows the data). Returns 0, MF_E_BAD_BASE64 or MF_E_NOMEM.
 */
int mf_base64_decode(uint8_t **out, size_t *out_len, const char *in, size_t n);

/* Writes 2n lowercase hex digits and a NUL. */
void mf_hex_encode(char *out, const uint8_t *in, size_t n);
/* The value of one hex digit (either case), or -1. */
int mf_hex_digit(int c);
/* True when s[0..n) are all lowercase hex digits (ids, digests). */
bool mf_hex_is_lower(const char *s, size_t n);
/* Decodes exactly 2n hex digits (either case) into out[n]; 0 or -1. */
int mf_hex_decode(uint8_t *out, size_t n, const char *in);

/*
 * The length of the well-formed UTF-8 character at s (n bytes left:
 * RFC 3629, so no overlong forms, surrogates or code points past
 * U+10FFFF), or 0 when the bytes there are not one.
 */
size_t mf_utf8_char_len(const unsigned char *s, size_t n);

#endif
