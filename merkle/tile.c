/*
 * C2SP tlog-tiles addressing and entry-bundle framing (see tile.h): the
 * one place that knows how tile paths are spelled, so the server's
 * /tlog/ routes, `modelfacts admin export-tiles` and the tests agree.
 */
#include "merkle/tile.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* Nodes at Merkle level 8 * level in a tree of size: floor(size / 256^L). */
static uint64_t
nodes_at(unsigned level, uint64_t size)
{
	if (level >= 8)
		return 0;
	return size >> (MF_TILE_HEIGHT * level);
}

/* A decimal in [lo, hi] without leading zeros, the whole of s[0..n). */
static int
parse_decimal(const char *s, size_t n, unsigned lo, unsigned hi, unsigned *out)
{
	unsigned v = 0;
	size_t i;

	if (n == 0 || n > 3 || (n > 1 && s[0] == '0'))
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

/* Three digits exactly. */
static int
parse_group(const char *s, unsigned *out)
{
	unsigned i;

	*out = 0;
	for (i = 0; i < 3; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*out = *out * 10 + (unsigned)(s[i] - '0');
	}
	return 0;
}

/* "<N>[.p/<W>]" at s to the end of the string. */
static int
parse_index(struct mf_tile *t, const char *s)
{
	unsigned g, groups = 0;

	t->index = 0;
	t->width = MF_TILE_WIDTH;
	/* 1. The x-prefixed groups, the first not zero. */
	while (s[0] == 'x') {
		if (parse_group(s + 1, &g) != 0 || s[4] != '/' ||
		    (groups == 0 && g == 0) ||
		    t->index > (UINT64_MAX - g) / 1000)
			return -1;
		t->index = t->index * 1000 + g;
		groups++;
		s += 5;
	}
	/* 2. The last group. */
	if (parse_group(s, &g) != 0 || t->index > (UINT64_MAX - g) / 1000)
		return -1;
	t->index = t->index * 1000 + g;
	s += 3;
	/* 3. An optional partial width. */
	if (*s == '\0')
		return 0;
	if (strncmp(s, ".p/", 3) != 0)
		return -1;
	return parse_decimal(s + 3, strlen(s + 3), 1, MF_TILE_WIDTH - 1,
	                     &t->width);
}

int
mf_tile_parse(struct mf_tile *t, const char *rel, struct mf_error *err)
{
	const char *slash;

	memset(t, 0, sizeof(*t));
	if (rel == NULL || strlen(rel) >= MF_TILE_PATH_MAX)
		goto bad;
	/* 1. "entries/" or "<L>/". */
	if (strncmp(rel, "entries/", 8) == 0) {
		t->entries = true;
		rel += 8;
	} else {
		if ((slash = strchr(rel, '/')) == NULL ||
		    parse_decimal(rel, (size_t)(slash - rel), 0,
		                  MF_TILE_MAX_LEVEL, &t->level) != 0)
			goto bad;
		rel = slash + 1;
	}
	/* 2. The index and width. */
	if (parse_index(t, rel) != 0)
		goto bad;
	return 0;
bad:
	return mf_error_set(err, MF_E_BAD_PARAM, NULL,
	                    "not a tile path: want tile/<L>/<N>[.p/<W>] or "
	                    "tile/entries/<N>[.p/<W>] (c2sp.org/tlog-tiles)");
}

int
mf_tile_path(struct mf_buf *b, const struct mf_tile *t)
{
	char digits[24];
	size_t n, i, first;
	int rc;

	/* 1. The prefix. */
	if (t->entries)
		rc = mf_buf_puts(b, "tile/entries/");
	else
		rc = mf_buf_printf(b, "tile/%u/", t->level);
	/* 2. N left-padded to a multiple of three digits, in groups. */
	n = (size_t)snprintf(digits, sizeof(digits), "%" PRIu64, t->index);
	first = n % 3 ? n % 3 : 3;
	for (i = 0; rc == 0 && i < n;) {
		size_t len = i == 0 ? first : 3;
		bool last = i + len == n;

		rc = mf_buf_printf(b, "%s%s%.*s%s", last ? "" : "x",
		                   i == 0 ? (len == 1   ? "00"
		                             : len == 2 ? "0"
		                                        : "")
		                          : "",
		                   (int)len, digits + i, last ? "" : "/");
		i += len;
	}
	/* 3. The width of a partial tile. */
	if (rc == 0 && t->width < MF_TILE_WIDTH)
		rc = mf_buf_printf(b, ".p/%u", t->width);
	return rc;
}

unsigned
mf_tile_width(unsigned level, uint64_t index, uint64_t size)
{
	uint64_t nodes = nodes_at(level, size);

	if (index > nodes / MF_TILE_WIDTH)
		return 0;
	if (index < nodes / MF_TILE_WIDTH)
		return MF_TILE_WIDTH;
	return (unsigned)(nodes % MF_TILE_WIDTH);
}

bool
mf_tile_available(const struct mf_tile *t, uint64_t size)
{
	uint64_t nodes = nodes_at(t->entries ? 0 : t->level, size);

	if (t->width < 1 || t->width > MF_TILE_WIDTH ||
	    t->index > nodes / MF_TILE_WIDTH)
		return false;
	return t->index * MF_TILE_WIDTH + t->width <= nodes;
}

uint64_t
mf_tile_count(unsigned level, uint64_t size)
{
	uint64_t nodes = nodes_at(level, size);

	return nodes / MF_TILE_WIDTH + (nodes % MF_TILE_WIDTH != 0);
}

unsigned
mf_tile_node_level(const struct mf_tile *t)
{
	return t->entries ? 0 : MF_TILE_HEIGHT * t->level;
}

uint64_t
mf_tile_first_node(const struct mf_tile *t)
{
	return t->index * MF_TILE_WIDTH;
}

int
mf_tile_bundle_put(struct mf_buf *b, const void *entry, size_t len)
{
	uint8_t n[2];

	if (len > MF_TILE_ENTRY_MAX)
		return MF_E_TOO_LARGE;
	n[0] = (uint8_t)(len >> 8);
	n[1] = (uint8_t)len;
	if (mf_buf_append(b, n, 2) != 0 || mf_buf_append(b, entry, len) != 0)
		return MF_E_NOMEM;
	return 0;
}

int
mf_tile_bundle_next(const uint8_t *data, size_t n, size_t *off,
                    const uint8_t **entry, size_t *len)
{
	if (*off == n)
		return 0;
	if (n - *off < 2)
		return MF_E_BAD_PARAM;
	*len = (size_t)data[*off] << 8 | data[*off + 1];
	if (n - *off - 2 < *len)
		return MF_E_BAD_PARAM;
	*entry = data + *off + 2;
	*off += 2 + *len;
	return 1;
}
