/*
 * modelfacts admin export-tiles: copies a registry's log, as C2SP
 * tlog-tiles, into a directory that any static web server or CDN can
 * serve (the same paths as the registry's /tlog/). It talks HTTP to
 * --registry, like every other CLI command, so it needs no database
 * access and can run anywhere; it trusts nothing it fetched until it
 * checked it:
 *   - the checkpoint's signature, with --key or the registry's own key;
 *   - every new entry bundle against its level-0 tile;
 *   - every hash of a tile above level 0 against the tile below;
 *   - the tree rebuilt from the files on disk against the checkpoint's
 *     root,
 * and only then writes the checkpoint (last, by rename), so the directory
 * never advertises a tree whose tiles are missing or wrong. Runs are
 * incremental: full tiles already on disk are kept untouched (they never
 * change); partial tiles of the current size are (re)written.
 */
#include "cli/commands.h"
#include "cli/util.h"
#include "common/json.h"
#include "merkle/checkpoint.h"
#include "merkle/merkle.h"
#include "merkle/note.h"
#include "merkle/tile.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define HASH      MF_MERKLE_HASH_LEN
#define TILE_SIZE (MF_TILE_WIDTH * HASH)
/* The largest bundle: 256 entries of at most 65535 bytes, framed. */
#define BUNDLE_MAX (MF_TILE_WIDTH * (MF_TILE_ENTRY_MAX + 2))

static void
usage(FILE *out)
{
	fprintf(out,
	        "usage: modelfacts admin export-tiles [--registry URL] "
	        "[--key KEY] DIR\n\n"
	        "Writes the registry's log as C2SP tlog-tiles files into DIR "
	        "(DIR/checkpoint,\nDIR/tile/<L>/<N>[.p/<W>], "
	        "DIR/tile/entries/<N>[.p/<W>]) for a static host.\nFetches "
	        "them from the registry's /tlog/ and checks them: the "
	        "checkpoint's\nsignature, every entry against its leaf hash, "
	        "every tile against the one below,\nand the whole tree "
	        "against the checkpoint's root; writes the checkpoint last.\n"
	        "Incremental: full tiles already in DIR are kept as they "
	        "are.\n\n"
	        "  --registry URL   the registry (else $MODELFACTS_URL, else "
	        "http://127.0.0.1:8080)\n"
	        "  --key KEY        the log's verifier key "
	        "(<origin>+<hash>+<key>); else the\n"
	        "                   registry's own (GET /v1/registry "
	        "log_public_key)\n\n"
	        "Exit 0 exported, 1 the registry's data did not verify, 2 "
	        "usage or I/O error.\n\n"
	        "examples:\n"
	        "  modelfacts admin export-tiles /srv/www/tlog\n"
	        "  modelfacts admin export-tiles --registry "
	        "http://127.0.0.1:18700 \\\n"
	        "      --key \"$(cat log.vkey)\" /srv/www/tlog\n");
}

struct exporter {
	const char *base; /* registry URL */
	const char *dir;
	uint64_t size;
	/* roots of the full tiles of the level below the one being done */
	uint8_t (*below)[HASH];
	uint64_t n_below;
	unsigned written, kept;
};

/* mkdir -p of the directories of path (not its last element). */
static int
make_parents(const char *path)
{
	char buf[4096];
	char *p;

	if (strlen(path) >= sizeof(buf))
		return -1;
	strcpy(buf, path);
	for (p = buf + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		if (mkdir(buf, 0755) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return 0;
}

/* Writes data to path through a temporary file and rename. */
static int
write_file(const char *path, const void *data, size_t len)
{
	char tmp[4200];
	FILE *f;
	int ok;

	snprintf(tmp, sizeof(tmp), "%s.tmp%ld", path, (long)getpid());
	if (make_parents(path) != 0 || (f = fopen(tmp, "wb")) == NULL) {
		fprintf(stderr,
		        "modelfacts admin export-tiles: cannot write "
		        "%s: %s\n",
		        path, strerror(errno));
		return -1;
	}
	ok = fwrite(data, 1, len, f) == len;
	ok = (fclose(f) == 0) && ok;
	if (!ok || rename(tmp, path) != 0) {
		fprintf(stderr,
		        "modelfacts admin export-tiles: cannot write "
		        "%s\n",
		        path);
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* DIR/<tile path> into out. */
static int
tile_file(char *out, size_t n, const char *dir, const struct mf_tile *t)
{
	struct mf_buf b = MF_BUF_INIT;
	int rc = -1;

	if (mf_tile_path(&b, t) == 0 && mf_buf_putc(&b, '\0') == 0 &&
	    (size_t)snprintf(out, n, "%s/%s", dir, b.data) < n)
		rc = 0;
	mf_buf_dispose(&b);
	return rc;
}

/* GET <base>/tlog/<rel> into b (cleared first); 0 or -1 (printed). */
static int
fetch(const struct exporter *x, const char *rel, struct mf_buf *b)
{
	char url[4096];
	long status;

	mf_buf_clear(b);
	snprintf(url, sizeof(url), "%s/tlog/%s", x->base, rel);
	if (mf_cli_http("GET", url, NULL, 0, NULL, &status, b) != 0)
		return -1;
	if (status != 200) {
		fprintf(stderr, "modelfacts admin export-tiles: GET %s: ", url);
		mf_cli_print_api_error(status, b->data);
		return -1;
	}
	return 0;
}

/* Reads a whole tile file of exactly want bytes; 1 read, 0 absent. */
static int
read_tile(const char *path, uint8_t *out, size_t want)
{
	FILE *f = fopen(path, "rb");
	size_t got;
	int extra;

	if (f == NULL)
		return 0;
	got = fread(out, 1, want, f);
	extra = fgetc(f);
	fclose(f);
	return got == want && extra == EOF ? 1 : -1;
}

/* MTH of 2^k consecutive hashes (a perfect subtree); h is overwritten. */
static void
perfect_root(uint8_t out[HASH], uint8_t (*h)[HASH], size_t count)
{
	size_t i;

	for (; count > 1; count /= 2)
		for (i = 0; i < count / 2; i++)
			mf_merkle_node_hash(h[i], h[2 * i], h[2 * i + 1]);
	memcpy(out, h[0], HASH);
}

/* Says why the registry's data did not verify; MF_EXIT_FAIL. */
#define FAIL(...)                                                              \
	(printf("NOT VERIFIED: " __VA_ARGS__), printf("\n"), MF_EXIT_FAIL)

/*
 * One tile (and at level 0 its entry bundle): kept when full and on
 * disk, else fetched, checked and written. roots[n] gets a full tile's
 * root for the level above.
 */
static int
do_tile(struct exporter *x, unsigned level, uint64_t n, uint8_t (*roots)[HASH])
{
	struct mf_tile t = {false, level, n, mf_tile_width(level, n, x->size)};
	struct mf_tile e = {true, 0, n, t.width};
	uint8_t data[TILE_SIZE], copy[MF_TILE_WIDTH][HASH];
	char path[4096], epath[4096], rel[MF_TILE_PATH_MAX + 8];
	struct mf_buf b = MF_BUF_INIT, eb = MF_BUF_INIT;
	size_t len = (size_t)t.width * HASH, off = 0, elen;
	const uint8_t *entry;
	unsigned i;
	int r, rc = MF_EXIT_USAGE;

	/* 1. A full tile already exported stays as it is. */
	if (tile_file(path, sizeof(path), x->dir, &t) != 0 ||
	    tile_file(epath, sizeof(epath), x->dir, &e) != 0)
		goto done;
	r = t.width == MF_TILE_WIDTH ? read_tile(path, data, len) : 0;
	if (r < 0) {
		fprintf(stderr,
		        "modelfacts admin export-tiles: %s is not a "
		        "full tile\n",
		        path);
		goto done;
	}
	if (r == 1 && (level > 0 || access(epath, F_OK) == 0)) {
		x->kept++;
		goto check;
	}
	/* 2. Else fetched. */
	snprintf(rel, sizeof(rel), "%s", path + strlen(x->dir) + 1);
	if (fetch(x, rel, &b) != 0)
		goto done;
	if (b.len != len) {
		rc = FAIL("tile %" PRIu64 " has the wrong size (%" PRIu64 ")",
		          n, b.len);
		goto done;
	}
	memcpy(data, b.data, len);
	/* 3. At level 0, the entries must hash to the tile's leaves. */
	if (level == 0) {
		snprintf(rel, sizeof(rel), "%s", epath + strlen(x->dir) + 1);
		if (fetch(x, rel, &eb) != 0)
			goto done;
		for (i = 0; (r = mf_tile_bundle_next((uint8_t *)eb.data, eb.len,
		                                     &off, &entry, &elen)) == 1;
		     i++) {
			uint8_t lh[HASH];

			if (i >= t.width ||
			    mf_merkle_leaf_hash(lh, entry, elen) != 0 ||
			    memcmp(lh, data + (size_t)i * HASH, HASH) != 0) {
				rc = FAIL("entry %" PRIu64
				          " does not hash to its leaf",
				          n * MF_TILE_WIDTH + i);
				goto done;
			}
		}
		if (r != 0 || i != t.width) {
			rc = FAIL("entry bundle %" PRIu64
			          " is malformed (%u entries)",
			          n, i);
			goto done;
		}
	}
check:
	/* 4. Above level 0, each hash is the root of a full tile below. */
	for (i = 0; level > 0 && i < t.width; i++) {
		uint64_t m = n * MF_TILE_WIDTH + i;

		if (m >= x->n_below ||
		    memcmp(x->below[m], data + (size_t)i * HASH, HASH) != 0) {
			rc = FAIL("tile %" PRIu64
			          " hash %u is not the root of the tile below",
			          n, i);
			goto done;
		}
	}
	if (t.width == MF_TILE_WIDTH) {
		memcpy(copy, data, TILE_SIZE);
		perfect_root(roots[n], copy, MF_TILE_WIDTH);
	}
	/* 5. Written: the bundle first, so a tile never lacks its entries. */
	if (b.len > 0 &&
	    ((level == 0 && write_file(epath, eb.data, eb.len) != 0) ||
	     write_file(path, data, len) != 0))
		goto done;
	if (b.len > 0)
		x->written++;
	rc = MF_EXIT_OK;
done:
	mf_buf_dispose(&b);
	mf_buf_dispose(&eb);
	return rc;
}

/* merkle.h's get_node over the exported files (for the final root). */
static int
file_node(void *ctx, unsigned level, uint64_t index, uint8_t out[HASH])
{
	const struct exporter *x = ctx;
	unsigned tl = level / MF_TILE_HEIGHT, k = level % MF_TILE_HEIGHT;
	uint64_t first = index << k;
	uint8_t data[TILE_SIZE], h[MF_TILE_WIDTH][HASH];
	struct mf_tile t = {false, tl, first / MF_TILE_WIDTH, 0};
	char path[4096];

	t.width = mf_tile_width(tl, t.index, x->size);
	if (tile_file(path, sizeof(path), x->dir, &t) != 0 ||
	    read_tile(path, data, (size_t)t.width * HASH) != 1 ||
	    (first % MF_TILE_WIDTH) + ((uint64_t)1 << k) > t.width)
		return MF_E_IO;
	memcpy(h, data + (first % MF_TILE_WIDTH) * HASH, HASH << k);
	perfect_root(out, h, (size_t)1 << k);
	return 0;
}

/* --key, else the registry's announced key; new string or NULL. */
static char *
log_key(const struct exporter *x, const char *flag)
{
	char url[4096];
	struct mf_buf b = MF_BUF_INIT;
	json_t *reg;
	char *key = NULL;
	long status;

	if (flag != NULL)
		return strdup(flag);
	snprintf(url, sizeof(url), "%s/v1/registry", x->base);
	if (mf_cli_http("GET", url, NULL, 0, NULL, &status, &b) == 0 &&
	    status == 200 && (reg = json_loadb(b.data, b.len, 0, NULL))) {
		if (mf_json_str(reg, "log_public_key") != NULL)
			key = strdup(mf_json_str(reg, "log_public_key"));
		json_decref(reg);
	}
	if (key == NULL)
		fprintf(stderr, "modelfacts admin export-tiles: no log key "
		                "(give --key)\n");
	mf_buf_dispose(&b);
	return key;
}

static int
export_tiles(struct exporter *x, const char *keyflag)
{
	struct mf_note_verifier *v = NULL;
	struct mf_checkpoint cp;
	struct mf_error err;
	struct mf_buf note = MF_BUF_INIT;
	uint8_t root[HASH], (*roots)[HASH] = NULL;
	char path[4096], *key = NULL;
	unsigned level;
	uint64_t n, count;
	int rc = MF_EXIT_USAGE;

	mf_error_init(&err);
	mf_checkpoint_init(&cp);
	/* 1. The checkpoint, verified. */
	if ((key = log_key(x, keyflag)) == NULL ||
	    fetch(x, "checkpoint", &note) != 0 || mf_buf_putc(&note, 0) != 0)
		goto done;
	if (mf_note_verifier_new(&v, key, &err) != 0) {
		fprintf(stderr, "modelfacts admin export-tiles: --key: %s\n",
		        err.message);
		goto done;
	}
	if (mf_checkpoint_open(&cp, note.data, note.len - 1, v, NULL, &err) !=
	    0) {
		printf("NOT VERIFIED: the checkpoint: %s\n", err.message);
		rc = MF_EXIT_FAIL;
		goto done;
	}
	x->size = cp.size;
	/* 2. Every tile, level by level, each checked against the one below. */
	for (level = 0; (count = mf_tile_count(level, x->size)) > 0; level++) {
		if ((roots = calloc(count, HASH)) == NULL)
			goto done;
		for (n = 0; n < count; n++)
			if ((rc = do_tile(x, level, n, roots)) != 0)
				goto done;
		free(x->below);
		x->below = roots;
		x->n_below = level + 1 < 8
		                 ? x->size >> (MF_TILE_HEIGHT * (level + 1))
		                 : 0;
		roots = NULL;
	}
	/* 3. The files on disk rebuild the checkpoint's root. */
	if (x->size == 0)
		mf_merkle_empty_root(root);
	else if (mf_merkle_root(root, x->size, file_node, x) != 0) {
		fprintf(stderr, "modelfacts admin export-tiles: cannot read "
		                "the exported tiles back\n");
		rc = MF_EXIT_USAGE;
		goto done;
	}
	if (memcmp(root, cp.root, HASH) != 0) {
		printf("NOT VERIFIED: the tiles do not hash to the "
		       "checkpoint's root (size %" PRIu64 ")\n",
		       x->size);
		rc = MF_EXIT_FAIL;
		goto done;
	}
	/* 4. The checkpoint last. */
	snprintf(path, sizeof(path), "%s/checkpoint", x->dir);
	if (write_file(path, note.data, note.len - 1) != 0) {
		rc = MF_EXIT_USAGE;
		goto done;
	}
	printf("exported %s, size %" PRIu64 ": %u tiles written, %u kept\n",
	       cp.origin, x->size, x->written, x->kept);
	rc = MF_EXIT_OK;
done:
	free(roots);
	free(x->below);
	x->below = NULL;
	mf_note_verifier_free(v);
	mf_checkpoint_dispose(&cp);
	mf_error_dispose(&err);
	mf_buf_dispose(&note);
	free(key);
	return rc;
}

int
mf_cli_admin_export_tiles(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"registry", required_argument, NULL, 'R'},
	    {"key", required_argument, NULL, 'k'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct exporter x = {0};
	const char *key = NULL, *registry = NULL;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'R':
			registry = optarg;
			break;
		case 'k':
			key = optarg;
			break;
		case 'h':
			usage(stdout);
			return MF_EXIT_OK;
		default:
			usage(stderr);
			return MF_EXIT_USAGE;
		}
	}
	if (optind != argc - 1 || argv[optind][0] == '\0') {
		usage(stderr);
		return MF_EXIT_USAGE;
	}
	x.base = mf_cli_registry_url(registry);
	x.dir = argv[optind];
	return export_tiles(&x, key);
}
