/*
 * C2SP tlog-tiles addressing (c2sp.org/tlog-tiles): which tiles a tree
 * has, their paths, and the entry-bundle framing. Storing and serving the
 * hashes is api/tlog_tiles.c's and db/tiles.c's job; writing them as files
 * is the CLI's (cli/cmd_export_tiles.c). Pure: the server, the CLI and
 * the unit tests share it.
 *
 * A tile at level L holds consecutive hashes of the Merkle tree at height
 * 8 * L (level 0: leaf hashes), 256 of them when full; hash i of tile N
 * is the complete subtree (8 * L, N * 256 + i) of merkle.h. An entry
 * bundle N holds the entries whose leaf hashes make level-0 tile N, each
 * framed by its length as a big-endian uint16.
 */
#ifndef MF_TILE_H
#define MF_TILE_H

#include "common/buf.h"
#include "common/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MF_TILE_HEIGHT 8
#define MF_TILE_WIDTH  256
/* Levels 0..63 are well-formed paths; only 0..7 can exist in a tree. */
#define MF_TILE_MAX_LEVEL 63
/* Longest path: "tile/entries/" + 7 groups of 4 + ".p/255". */
#define MF_TILE_PATH_MAX 64
/* Longest entry a bundle can frame. */
#define MF_TILE_ENTRY_MAX 65535

struct mf_tile {
	bool entries;   /* an entry bundle (then level is 0) */
	unsigned level; /* 0..MF_TILE_MAX_LEVEL */
	uint64_t index; /* N */
	unsigned width; /* 1..256; 256 is a full tile */
};

/*
 * Parses the part of a path after "tile/": "<L>/<N>[.p/<W>]" or
 * "entries/<N>[.p/<W>]", strictly (decimal without leading zeros, N in
 * 3-digit groups with every group but the last x-prefixed and no leading
 * "x000" group, W in 1..255). 0, or MF_E_BAD_PARAM with err set.
 */
int mf_tile_parse(struct mf_tile *t, const char *rel, struct mf_error *err);

/* Appends "tile/<L>/<N>[.p/<W>]" or "tile/entries/..." to b; 0 or
 * MF_E_NOMEM. */
int mf_tile_path(struct mf_buf *b, const struct mf_tile *t);

/*
 * How many hashes tile (level, index) has in a tree of `size` leaves:
 * 0 when it does not exist yet, 1..255 for the right edge's partial tile,
 * 256 when full.
 */
unsigned mf_tile_width(unsigned level, uint64_t index, uint64_t size);

/*
 * Whether tile t can be served for a tree of `size` leaves: a full tile
 * once complete, a partial tile of width W once the tree has reached it
 * (a checkpoint of that width existed or will; never past `size`).
 */
bool mf_tile_available(const struct mf_tile *t, uint64_t size);

/* Number of level-L tile positions (full or partial) in a tree of size. */
uint64_t mf_tile_count(unsigned level, uint64_t size);

/* The Merkle level (8 * L) and first node index of tile t. */
unsigned mf_tile_node_level(const struct mf_tile *t);
uint64_t mf_tile_first_node(const struct mf_tile *t);

/* Appends one entry to a bundle; MF_E_TOO_LARGE past 65535 bytes. */
int mf_tile_bundle_put(struct mf_buf *b, const void *entry, size_t len);

/*
 * Reads the next entry of a bundle at *off: *entry and *len point into
 * data. 1 when an entry was read, 0 at the end, MF_E_BAD_PARAM when the
 * framing runs past the end.
 */
int mf_tile_bundle_next(const uint8_t *data, size_t n, size_t *off,
                        const uint8_t **entry, size_t *len);

#endif
