/*
 * Writes an Atom feed (atom.h). The escaper is the label's HTML one
 * (labels/html.h): its entities (&amp; &lt; &gt; &quot; &#39;) are XML's
 * too, and it turns controls and bytes that are not UTF-8 into U+FFFD,
 * which XML 1.0 allows where the raw bytes would make the document
 * ill-formed.
 */
#include "formats/atom.h"

#include "common/error.h"
#include "labels/html.h"

#include <string.h>

/* Appends <name>text</name> (text escaped), indented. */
static int
element(struct mf_buf *out, const char *indent, const char *name,
        const char *text)
{
	int rc;

	if ((rc = mf_buf_printf(out, "%s<%s>", indent, name)) != 0 ||
	    (rc = mf_label_html_escape(out, text, strlen(text))) != 0)
		return rc;
	return mf_buf_printf(out, "</%s>\n", name);
}

/* Appends <link rel=".." type=".." href=".."/>, href escaped. */
static int
link(struct mf_buf *out, const char *indent, const char *rel, const char *type,
     const char *href)
{
	int rc;

	if ((rc = mf_buf_printf(out, "%s<link rel=\"%s\" type=\"%s\" href=\"",
	                        indent, rel, type)) != 0 ||
	    (rc = mf_label_html_escape(out, href, strlen(href))) != 0)
		return rc;
	return mf_buf_puts(out, "\"/>\n");
}

static int
write_entry(struct mf_buf *out, const struct mf_atom_entry *e)
{
	int rc;

	/* 1. what RFC 4287 4.1.2 requires of an entry */
	if ((rc = mf_buf_puts(out, "  <entry>\n")) != 0 ||
	    (rc = element(out, "    ", "id", e->id)) != 0 ||
	    (rc = element(out, "    ", "title", e->title)) != 0 ||
	    (rc = element(out, "    ", "updated", e->updated)) != 0 ||
	    (rc = element(out, "    ", "published", e->updated)) != 0 ||
	    (rc = mf_buf_puts(out, "    <author>\n")) != 0 ||
	    (rc = element(out, "      ", "name", e->author)) != 0 ||
	    (e->author_uri != NULL &&
	     (rc = element(out, "      ", "uri", e->author_uri)) != 0) ||
	    (rc = mf_buf_puts(out, "    </author>\n")) != 0)
		return rc;
	/* 2. where to read it: the page, and the label as data */
	if ((rc = link(out, "    ", "alternate", "text/html", e->link)) != 0 ||
	    (e->json != NULL && (rc = link(out, "    ", "alternate",
	                                   "application/json", e->json)) != 0))
		return rc;
	if (e->summary != NULL &&
	    (rc = element(out, "    ", "summary", e->summary)) != 0)
		return rc;
	return mf_buf_puts(out, "  </entry>\n");
}

int
mf_atom_write(struct mf_buf *out, const struct mf_atom_feed *feed)
{
	size_t i;
	int rc;

	/* 1. every required member is there */
	if (feed->id == NULL || feed->title == NULL || feed->self == NULL ||
	    feed->updated == NULL ||
	    (feed->nentries > 0 && feed->entries == NULL))
		return MF_E_BAD_PARAM;
	for (i = 0; i < feed->nentries; i++) {
		const struct mf_atom_entry *e = &feed->entries[i];

		if (e->id == NULL || e->title == NULL || e->updated == NULL ||
		    e->link == NULL || e->author == NULL)
			return MF_E_BAD_PARAM;
	}
	/* 2. the feed's own metadata (RFC 4287 4.1.1) */
	if ((rc =
	         mf_buf_puts(out, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	                          "<feed xmlns=\"http://www.w3.org/2005/"
	                          "Atom\">\n")) != 0 ||
	    (rc = element(out, "  ", "id", feed->id)) != 0 ||
	    (rc = element(out, "  ", "title", feed->title)) != 0 ||
	    (rc = element(out, "  ", "updated", feed->updated)) != 0 ||
	    (rc = link(out, "  ", "self", "application/atom+xml",
	               feed->self)) != 0 ||
	    (feed->page != NULL && (rc = link(out, "  ", "alternate",
	                                      "text/html", feed->page)) != 0) ||
	    (rc = mf_buf_puts(out, "  <generator>modelfacts</generator>\n")) !=
	        0)
		return rc;
	/* 3. the entries, in the caller's order (newest first) */
	for (i = 0; i < feed->nentries; i++)
		if ((rc = write_entry(out, &feed->entries[i])) != 0)
			return rc;
	return mf_buf_puts(out, "</feed>\n");
}
