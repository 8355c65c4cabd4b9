/*
 * The Atom writer (formats/atom.c): the elements RFC 4287 requires of a
 * feed and of each entry, optional ones left out when absent, entries in
 * the caller's order, hostile text escaped (markup, quotes, controls),
 * and a missing required member refused. That the output parses is
 * checked by two independent XML parsers in
 * tests/integration/test_feeds.py.
 */
#include "common/buf.h"
#include "common/error.h"
#include "formats/atom.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

static const struct mf_atom_entry two[] = {
    {"tag:r.example,2026-01-02:models/a/b/versions/2", "B v2",
     "2026-01-02T00:00:00Z", "https://r.example/models/a/b/versions/2",
     "https://r.example/v1/models/a/b/versions/2/label.json", "Acme",
     "https://r.example/orgs/a", "second"},
    {"tag:r.example,2026-01-01:models/a/b/versions/1", "B v1",
     "2026-01-01T00:00:00Z", "https://r.example/models/a/b/versions/1", NULL,
     "Acme", NULL, NULL},
};

static size_t
count(const char *s, const char *what)
{
	size_t n = 0;

	for (; (s = strstr(s, what)) != NULL; s++)
		n++;
	return n;
}

static void
test_required_elements(void **state)
{
	struct mf_atom_feed f = {"https://r.example/v1/feeds/versions.atom",
	                         "New versions",
	                         "https://r.example/v1/feeds/versions.atom",
	                         "https://r.example/models",
	                         "2026-01-02T00:00:00Z",
	                         two,
	                         2};
	struct mf_buf b;
	const char *first, *second;

	(void)state;
	mf_buf_init(&b, 1u << 20);
	assert_int_equal(mf_atom_write(&b, &f), 0);
	assert_int_equal(mf_buf_putc(&b, '\0'), 0);
	assert_true(strncmp(b.data, "<?xml version=\"1.0\"", 19) == 0);
	assert_non_null(strstr(b.data, "<feed xmlns=\"http://www.w3.org/2005/"
	                               "Atom\">"));
	/* feed: id, title, updated, self; each entry its own */
	assert_int_equal(count(b.data, "<id>"), 3);
	assert_int_equal(count(b.data, "<title>"), 3);
	assert_int_equal(count(b.data, "<updated>"), 3);
	assert_int_equal(count(b.data, "<entry>"), 2);
	assert_int_equal(count(b.data, "</entry>"), 2);
	assert_int_equal(count(b.data, "<author>"), 2);
	assert_int_equal(count(b.data, "rel=\"self\""), 1);
	/* optional members only where given */
	assert_int_equal(count(b.data, "application/json"), 1);
	assert_int_equal(count(b.data, "<summary>"), 1);
	assert_int_equal(count(b.data, "<uri>"), 1);
	/* the caller's order */
	first = strstr(b.data, "versions/2</id>");
	second = strstr(b.data, "versions/1</id>");
	assert_non_null(first);
	assert_non_null(second);
	assert_true(first < second);
	assert_true(strstr(b.data, "</feed>\n") != NULL);
	mf_buf_dispose(&b);
}

static void
test_escaping(void **state)
{
	struct mf_atom_entry e = {"tag:x,2026-01-01:a",
	                          "<b>bold</b> & \"q\" ]]>\x07",
	                          "2026-01-01T00:00:00Z",
	                          "https://r.example/?a=1&b=\"2\"",
	                          NULL,
	                          "Acme <Evil> & 'Co'",
	                          NULL,
	                          "line\x01"};
	struct mf_atom_feed f = {"u",
	                         "t<",
	                         "https://r.example/f?x=1&y=2",
	                         NULL,
	                         "2026-01-01T00:00:00Z",
	                         &e,
	                         1};
	struct mf_buf b;

	(void)state;
	mf_buf_init(&b, 1u << 20);
	assert_int_equal(mf_atom_write(&b, &f), 0);
	assert_int_equal(mf_buf_putc(&b, '\0'), 0);
	assert_null(strstr(b.data, "<b>"));
	assert_null(strstr(b.data, "<Evil>"));
	assert_null(strstr(b.data, "]]>"));
	assert_null(strchr(b.data, '\x07'));
	assert_null(strchr(b.data, '\x01'));
	assert_non_null(strstr(b.data, "&lt;b&gt;bold&lt;/b&gt; &amp; "
	                               "&quot;q&quot;"));
	assert_non_null(strstr(b.data, "href=\"https://r.example/f?x=1&amp;"
	                               "y=2\""));
	assert_non_null(strstr(b.data, "<title>t&lt;</title>"));
	assert_non_null(strstr(b.data, "Acme &lt;Evil&gt; &amp; &#39;Co&#39;"));
	/* no page link: no alternate at feed level */
	assert_int_equal(count(b.data, "rel=\"alternate\""), 1);
	mf_buf_dispose(&b);
}

static void
test_missing_members(void **state)
{
	struct mf_atom_entry e = two[0];
	struct mf_atom_feed f = {"u", "t", "s", NULL, "2026-01-01T00:00:00Z",
	                         &e,  1};
	struct mf_buf b;

	(void)state;
	mf_buf_init(&b, 1u << 20);
	e.author = NULL;
	assert_int_equal(mf_atom_write(&b, &f), MF_E_BAD_PARAM);
	e.author = "A";
	e.link = NULL;
	assert_int_equal(mf_atom_write(&b, &f), MF_E_BAD_PARAM);
	e.link = "l";
	f.updated = NULL;
	assert_int_equal(mf_atom_write(&b, &f), MF_E_BAD_PARAM);
	f.updated = "2026-01-01T00:00:00Z";
	f.nentries = 0;
	mf_buf_clear(&b);
	assert_int_equal(mf_atom_write(&b, &f), 0);
	assert_int_equal(mf_buf_putc(&b, '\0'), 0);
	assert_null(strstr(b.data, "<entry>"));
	mf_buf_dispose(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_required_elements),
	    cmocka_unit_test(test_escaping),
	    cmocka_unit_test(test_missing_members),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
