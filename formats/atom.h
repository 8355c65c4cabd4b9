/*
 * Atom feeds (RFC 4287) of new model versions, so feed readers and
 * scripts can follow the registry, an organisation or one model. Pure:
 * api/feeds.c reads the versions and fills these structs; every string
 * in them is untrusted text and is escaped here.
 */
#ifndef MF_FORMATS_ATOM_H
#define MF_FORMATS_ATOM_H

#include "common/buf.h"

#include <stddef.h>

/* One entry; all borrowed. Members marked optional may be NULL. */
struct mf_atom_entry {
	const char *id;         /* an IRI that never changes (RFC 4287 4.2.6) */
	const char *title;      /* plain text */
	const char *updated;    /* RFC 3339 date-time */
	const char *link;       /* the version's page (rel=alternate, HTML) */
	const char *json;       /* optional: its label.json (alternate, JSON) */
	const char *author;     /* the organisation's name */
	const char *author_uri; /* optional: the organisation's page */
	const char *summary;    /* optional: plain text */
};

/* The feed; all borrowed. */
struct mf_atom_feed {
	const char *id;      /* an IRI: the feed's own URL */
	const char *title;   /* plain text */
	const char *self;    /* the feed's URL (rel=self) */
	const char *page;    /* optional: the HTML page it follows */
	const char *updated; /* RFC 3339: the newest entry's, or another */
	const struct mf_atom_entry *entries;
	size_t nentries;
};

/*
 * Appends the feed document (UTF-8, with an XML declaration). Text is
 * escaped for XML and characters XML 1.0 cannot carry (controls) become
 * U+FFFD; every entry has the elements RFC 4287 requires (id, title,
 * updated, author, a link). MF_E_BAD_PARAM when a required member is
 * NULL; else 0, MF_E_NOMEM or MF_E_TOO_LARGE.
 */
int mf_atom_write(struct mf_buf *out, const struct mf_atom_feed *feed);

#endif
