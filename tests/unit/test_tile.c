/*
 * Tests for merkle/tile: C2SP tlog-tiles paths (the spec's own examples,
 * a round trip over many indices, and malformed paths refused), which
 * tiles a tree has (the spec's 70,000-entry example, widths checked
 * against a direct count), and entry-bundle framing.
 */
#include "common/error.h"
#include "merkle/tile.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

static void
path_is(const struct mf_tile *t, const char *want)
{
	struct mf_buf b = MF_BUF_INIT;

	assert_int_equal(mf_tile_path(&b, t), 0);
	assert_int_equal(mf_buf_putc(&b, '\0'), 0);
	assert_string_equal(b.data, want);
	mf_buf_dispose(&b);
}

static void
test_spec_paths(void **state)
{
	struct mf_tile t = {false, 0, 1234067, 256};

	(void)state;
	/* The spec's example: index 1234067 is x001/x234/067. */
	path_is(&t, "tile/0/x001/x234/067");
	t.index = 0;
	path_is(&t, "tile/0/000");
	t.index = 5;
	t.level = 2;
	t.width = 17;
	path_is(&t, "tile/2/005.p/17");
	t.index = 1000;
	t.entries = true;
	t.level = 0;
	t.width = 256;
	path_is(&t, "tile/entries/x001/000");
	t.index = 999;
	path_is(&t, "tile/entries/999");
	t.index = UINT64_MAX;
	path_is(&t, "tile/entries/x018/x446/x744/x073/x709/x551/615");
}

static void
test_round_trip(void **state)
{
	struct mf_buf b = MF_BUF_INIT;
	struct mf_error err;
	struct mf_tile t, u;
	uint64_t i;

	(void)state;
	mf_error_init(&err);
	for (i = 0; i < 3000000; i = i * 3 + 1) {
		t = (struct mf_tile){i % 2, (unsigned)(i % 2 ? 0 : i % 64), i,
		                     (unsigned)(i % 256) + 1};
		mf_buf_clear(&b);
		assert_int_equal(mf_tile_path(&b, &t), 0);
		assert_int_equal(mf_buf_putc(&b, '\0'), 0);
		assert_memory_equal(b.data, "tile/", 5);
		assert_int_equal(mf_tile_parse(&u, b.data + 5, &err), 0);
		assert_int_equal(u.entries, t.entries);
		assert_int_equal(u.level, t.level);
		assert_int_equal(u.index, t.index);
		assert_int_equal(u.width, t.width);
	}
	mf_buf_dispose(&b);
	mf_error_dispose(&err);
}

static void
test_bad_paths(void **state)
{
	static const char *const bad[] = {
	    "",
	    "0",
	    "0/",
	    "00/000",
	    "64/000",
	    "1/00",
	    "1/0000",
	    "1/x000/001",
	    "1/x01/001",
	    "1/001/",
	    "1/x001",
	    "1/001.p/0",
	    "1/001.p/256",
	    "1/001.p/01",
	    "1/001.p/",
	    "1/001.q/1",
	    "entries",
	    "entries/",
	    "entries/1",
	    "entries/001.p/1/",
	    "-1/000",
	    "1/-01",
	    "1/0a1",
	    "1/x019/x000/x000/x000/x000/x000/000",
	    "1/x1/x2",
	    "1/../000",
	    "a/000",
	    "entries/x18446744073709551615",
	};
	struct mf_error err;
	struct mf_tile t;
	size_t i;

	(void)state;
	mf_error_init(&err);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (mf_tile_parse(&t, bad[i], &err) != MF_E_BAD_PARAM)
			fail_msg("accepted %s", bad[i]);
		mf_error_dispose(&err);
	}
	/* The largest index parses; one more overflows. */
	assert_int_equal(
	    mf_tile_parse(&t, "0/x018/x446/x744/x073/x709/x551/615", &err), 0);
	assert_true(t.index == UINT64_MAX);
	assert_int_equal(
	    mf_tile_parse(&t, "0/x018/x446/x744/x073/x709/x551/616", &err),
	    MF_E_BAD_PARAM);
	mf_error_dispose(&err);
}

/*
 * Random strings over the paths' alphabet: whatever parses must be the
 * one canonical spelling (formatting it gives the same text back), so
 * no tile has two URLs.
 */
static void
test_parse_is_canonical(void **state)
{
	static const char alpha[] = "0123456789x/.pentries";
	struct mf_buf b = MF_BUF_INIT;
	struct mf_error err;
	struct mf_tile t;
	char s[40];
	unsigned seed = 12345, accepted = 0;
	int i, k, len;

	(void)state;
	mf_error_init(&err);
	for (i = 0; i < 400000; i++) {
		seed = seed * 1103515245u + 12345u;
		len = 1 + (int)((seed >> 16) % 24);
		/* half of them start like a real path */
		k = 0;
		if (i % 2 == 0) {
			s[k++] = (char)('0' + (seed >> 8) % 3);
			s[k++] = '/';
		}
		for (; k < len; k++) {
			seed = seed * 1103515245u + 12345u;
			s[k] = (seed >> 16) % 3 == 0
			           ? (char)('0' + (seed >> 20) % 10)
			           : alpha[(seed >> 18) % (sizeof(alpha) - 1)];
		}
		s[k] = '\0';
		if (mf_tile_parse(&t, s, &err) != 0) {
			mf_error_dispose(&err);
			continue;
		}
		accepted++;
		mf_buf_clear(&b);
		assert_int_equal(mf_tile_path(&b, &t), 0);
		assert_int_equal(mf_buf_putc(&b, '\0'), 0);
		if (strcmp(b.data + 5, s) != 0)
			fail_msg("%s parsed, but is spelled %s", s, b.data);
	}
	/* The generator does reach valid paths. */
	assert_true(accepted > 100);
	mf_buf_dispose(&b);
}

/* The spec's example: a tree of 70,000 entries. */
static void
test_widths_spec(void **state)
{
	(void)state;
	assert_int_equal(mf_tile_count(0, 70000), 274);
	assert_int_equal(mf_tile_width(0, 272, 70000), 256);
	assert_int_equal(mf_tile_width(0, 273, 70000), 112);
	assert_int_equal(mf_tile_width(0, 274, 70000), 0);
	assert_int_equal(mf_tile_count(1, 70000), 2);
	assert_int_equal(mf_tile_width(1, 0, 70000), 256);
	assert_int_equal(mf_tile_width(1, 1, 70000), 17);
	assert_int_equal(mf_tile_count(2, 70000), 1);
	assert_int_equal(mf_tile_width(2, 0, 70000), 1);
	assert_int_equal(mf_tile_count(3, 70000), 0);
	/* A tree of 256: one full level-0 tile, a level-1 tile of width 1. */
	assert_int_equal(mf_tile_width(0, 0, 256), 256);
	assert_int_equal(mf_tile_count(0, 256), 1);
	assert_int_equal(mf_tile_width(1, 0, 256), 1);
	assert_int_equal(mf_tile_count(8, UINT64_MAX), 0);
}

/* Widths and availability against a direct count of stored nodes. */
static void
test_widths_property(void **state)
{
	struct mf_tile t;
	uint64_t size, nodes, i;
	unsigned level, w;

	(void)state;
	for (size = 0; size < 70000; size += 1 + size / 7)
		for (level = 0; level < 3; level++) {
			nodes = size;
			for (i = 0; i < level; i++)
				nodes /= 256;
			for (i = 0; i < mf_tile_count(level, size) + 2; i++) {
				uint64_t have =
				    nodes > i * 256 ? nodes - i * 256 : 0;

				w = mf_tile_width(level, i, size);
				assert_int_equal(w, have > 256 ? 256 : have);
				t = (struct mf_tile){false, level, i, 256};
				assert_int_equal(mf_tile_available(&t, size),
				                 have >= 256);
				for (t.width = 1; t.width < 256; t.width += 37)
					assert_int_equal(
					    mf_tile_available(&t, size),
					    have >= t.width);
			}
		}
}

static void
test_bundle(void **state)
{
	static char big[MF_TILE_ENTRY_MAX + 1];
	struct mf_buf b = MF_BUF_INIT;
	const uint8_t *e;
	size_t off = 0, len;

	(void)state;
	assert_int_equal(mf_tile_bundle_put(&b, "abc", 3), 0);
	assert_int_equal(mf_tile_bundle_put(&b, "", 0), 0);
	assert_int_equal(mf_tile_bundle_put(&b, big, MF_TILE_ENTRY_MAX), 0);
	assert_int_equal(mf_tile_bundle_put(&b, big, sizeof(big)),
	                 MF_E_TOO_LARGE);
	assert_int_equal(b.len, 2 + 3 + 2 + 2 + MF_TILE_ENTRY_MAX);
	assert_memory_equal(b.data,
	                    "\x00\x03"
	                    "abc\x00\x00\xff\xff",
	                    9);
	assert_int_equal(
	    mf_tile_bundle_next((uint8_t *)b.data, b.len, &off, &e, &len), 1);
	assert_int_equal(len, 3);
	assert_memory_equal(e, "abc", 3);
	assert_int_equal(
	    mf_tile_bundle_next((uint8_t *)b.data, b.len, &off, &e, &len), 1);
	assert_int_equal(len, 0);
	assert_int_equal(
	    mf_tile_bundle_next((uint8_t *)b.data, b.len, &off, &e, &len), 1);
	assert_int_equal(len, MF_TILE_ENTRY_MAX);
	assert_int_equal(
	    mf_tile_bundle_next((uint8_t *)b.data, b.len, &off, &e, &len), 0);
	/* A truncated bundle is refused. */
	off = 0;
	assert_int_equal(
	    mf_tile_bundle_next((uint8_t *)b.data, 4, &off, &e, &len),
	    MF_E_BAD_PARAM);
	off = 0;
	assert_int_equal(
	    mf_tile_bundle_next((uint8_t *)b.data, 1, &off, &e, &len),
	    MF_E_BAD_PARAM);
	mf_buf_dispose(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_spec_paths),
	    cmocka_unit_test(test_round_trip),
	    cmocka_unit_test(test_bad_paths),
	    cmocka_unit_test(test_parse_is_canonical),
	    cmocka_unit_test(test_widths_spec),
	    cmocka_unit_test(test_widths_property),
	    cmocka_unit_test(test_bundle),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
