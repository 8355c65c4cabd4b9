/*
 * Checks the fuzz targets share (tests/fuzz/fuzz_*.c): the invariants an
 * output must hold whatever the input was. A broken invariant aborts, so
 * libFuzzer records the input as a crash.
 */
#ifndef MF_FUZZ_UTIL_H
#define MF_FUZZ_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

/* Aborts with a message naming the broken invariant. */
#define MF_FUZZ_CHECK(cond, what)                                              \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "fuzz invariant broken: %s (%s:%d)\n", \
			        what, __FILE__, __LINE__);                     \
			abort();                                               \
		}                                                              \
	} while (0)

/* True when s[0..len) is well-formed UTF-8 (RFC 3629: no overlongs, no
 * surrogates, nothing above U+10FFFF) without NUL bytes. */
static inline bool
mf_fuzz_utf8_ok(const char *s, size_t len)
{
	const uint8_t *p = (const uint8_t *)s, *end = p + len;

	while (p < end) {
		uint32_t c = *p;
		size_t n, i;

		if (c == 0)
			return false;
		if (c < 0x80) {
			p++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			n = 1, c &= 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			n = 2, c &= 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			n = 3, c &= 0x07;
		else
			return false;
		if ((size_t)(end - p) <= n)
			return false;
		for (i = 1; i <= n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return false;
			c = (c << 6) | (p[i] & 0x3f);
		}
		if ((n == 2 && c < 0x800) || (n == 3 && c < 0x10000) ||
		    c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
			return false;
		p += n + 1;
	}
	return true;
}

/* True when needle (ASCII) occurs in s[0..len), case ignored. */
static inline bool
mf_fuzz_contains_ci(const char *s, size_t len, const char *needle)
{
	size_t n = 0, i;

	while (needle[n] != '\0')
		n++;
	for (i = 0; i + n <= len; i++)
		if (strncasecmp(s + i, needle, n) == 0)
			return true;
	return false;
}

/* Writes one seed file dir/name (for targets that make their own seeds
 * when MF_FUZZ_SEEDS names a directory). Exits on failure. */
static inline void
mf_fuzz_write_seed(const char *dir, const char *name, const void *data,
                   size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "wb")) == NULL || fwrite(data, 1, len, f) != len ||
	    fclose(f) != 0) {
		fprintf(stderr, "cannot write seed %s\n", path);
		exit(1);
	}
}

#endif
