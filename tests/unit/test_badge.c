/*
 * The badge writer (formats/badge_svg.c): the bands at their edges, the
 * SVG's shape (two parts whose widths add up, the text twice for screen
 * readers), hostile text escaped and bounded, a bad colour drawn grey.
 * Whether the SVG is well-formed XML is checked by an independent parser
 * in tests/integration/test_feeds.py.
 */
#include "common/buf.h"
#include "formats/badge_svg.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static void
test_bands(void **state)
{
	(void)state;
	assert_int_equal(mf_badge_band(0, 0), MF_BADGE_NONE);
	assert_int_equal(mf_badge_band(5, -1), MF_BADGE_NONE);
	assert_int_equal(mf_badge_band(-1, 10), MF_BADGE_NONE);
	assert_int_equal(mf_badge_band(0, 100), MF_BADGE_LOW);
	assert_int_equal(mf_badge_band(24, 100), MF_BADGE_LOW);
	assert_int_equal(mf_badge_band(25, 100), MF_BADGE_FAIR);
	assert_int_equal(mf_badge_band(49, 100), MF_BADGE_FAIR);
	assert_int_equal(mf_badge_band(50, 100), MF_BADGE_GOOD);
	assert_int_equal(mf_badge_band(74, 100), MF_BADGE_GOOD);
	assert_int_equal(mf_badge_band(75, 100), MF_BADGE_HIGH);
	assert_int_equal(mf_badge_band(100, 100), MF_BADGE_HIGH);
	assert_int_equal(mf_badge_band(120, 100), MF_BADGE_HIGH);
	/* 2 of 3 is 66%: good, not high */
	assert_int_equal(mf_badge_band(2, 3), MF_BADGE_GOOD);
	assert_string_equal(mf_badge_color(MF_BADGE_HIGH), "#1a7f37");
	assert_string_equal(mf_badge_color(MF_BADGE_NONE), "#6e6e6e");
	assert_string_equal(mf_badge_color((enum mf_badge_band)99), "#6e6e6e");
}

/* The unsigned after `attr="` at the n-th occurrence (0-based). */
static unsigned
attr_at(const char *svg, const char *attr, int n)
{
	const char *p = svg;
	size_t len = strlen(attr);

	for (; n >= 0; n--) {
		p = strstr(p, attr);
		assert_non_null(p);
		p += len;
	}
	return (unsigned)strtoul(p, NULL, 10);
}

static void
test_shape(void **state)
{
	struct mf_buf b;
	unsigned lw, vw, total, w2;

	(void)state;
	mf_buf_init(&b, 1u << 16);
	assert_int_equal(
	    mf_badge_svg(&b, "modelfacts-v1", "72/100 · auto", "#5b7a00"), 0);
	assert_int_equal(mf_buf_putc(&b, '\0'), 0);
	assert_true(strncmp(b.data, "<svg xmlns=\"http://www.w3.org/2000/svg\"",
	                    39) == 0);
	assert_non_null(
	    strstr(b.data, "aria-label=\"modelfacts-v1: 72/100 · auto\""));
	assert_non_null(
	    strstr(b.data, "<title>modelfacts-v1: 72/100 · auto</title>"));
	assert_non_null(strstr(b.data, ">modelfacts-v1</text>"));
	assert_non_null(strstr(b.data, ">72/100 · auto</text>"));
	assert_non_null(strstr(b.data, "fill=\"#5b7a00\""));
	total = attr_at(b.data, " width=\"", 0);
	lw = attr_at(b.data, " width=\"", 1);
	vw = attr_at(b.data, " width=\"", 2);
	assert_int_equal(attr_at(b.data, "<rect x=\"", 0), lw);
	assert_int_equal(lw + vw, total);
	assert_true(lw > 12 && vw > 12);
	/* a longer value makes a wider badge */
	mf_buf_clear(&b);
	assert_int_equal(mf_badge_svg(&b, "modelfacts-v1",
	                              "72/100 · an-assessor-with-a-long-name",
	                              "#5b7a00"),
	                 0);
	assert_int_equal(mf_buf_putc(&b, '\0'), 0);
	w2 = attr_at(b.data, " width=\"", 0);
	assert_true(w2 > total);
	mf_buf_dispose(&b);
}

static void
test_hostile_text_and_colour(void **state)
{
	struct mf_buf b;
	char longtext[1000];

	(void)state;
	mf_buf_init(&b, 1u << 16);
	assert_int_equal(
	    mf_badge_svg(&b, "<script>&\"'", "]]>\x01<x/>", "red\"/><script>"),
	    0);
	assert_int_equal(mf_buf_putc(&b, '\0'), 0);
	assert_null(strstr(b.data, "<script"));
	assert_null(strstr(b.data, "<x/>"));
	assert_null(strstr(b.data, "\x01"));
	assert_non_null(strstr(b.data, "&lt;script&gt;&amp;&quot;&#39;"));
	/* the colour was not "#rrggbb": grey */
	assert_non_null(strstr(b.data, "fill=\"#6e6e6e\""));
	/* text is bounded */
	memset(longtext, 'm', sizeof(longtext) - 1);
	longtext[sizeof(longtext) - 1] = '\0';
	mf_buf_clear(&b);
	assert_int_equal(mf_badge_svg(&b, longtext, longtext, "#1a7f37"), 0);
	assert_true(b.len < 4 * MF_BADGE_TEXT_MAX + 1200);
	mf_buf_dispose(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_bands),
	    cmocka_unit_test(test_shape),
	    cmocka_unit_test(test_hostile_text_and_colour),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
