/*
 * Character-level policy shared by the label backends: UTF-8 decoding
 * that never fails (bad bytes become U+FFFD), which code points collapse
 * to a space and which are replaced, and which URLs may become links.
 */
#ifndef MF_LABEL_TEXT_H
#define MF_LABEL_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MF_LABEL_REPLACEMENT 0xFFFDu
/* What mf_label_utf8_next() gives for a byte that is not UTF-8: beyond
 * Unicode, so it can never be mistaken for a real code point. */
#define MF_LABEL_INVALID 0x110000u

/*
 * Decodes the code point at s (len > 0 bytes available) into *cp and
 * returns how many bytes it took (1-4). Malformed, overlong, surrogate
 * and out-of-range sequences give MF_LABEL_INVALID and consume one byte;
 * writers show it as U+FFFD, never as the raw byte.
 */
size_t mf_label_utf8_next(const char *s, size_t len, uint32_t *cp);

enum mf_label_char {
	MF_LABEL_CHAR_PLAIN, /* shown as is (after the backend's escaping) */
	MF_LABEL_CHAR_SPACE, /* whitespace and line breaks: one space */
	MF_LABEL_CHAR_BAD,   /* controls and bidi overrides: U+FFFD */
};

/*
 * SPACE: TAB LF VT FF CR SP, NEL, NBSP, U+2028, U+2029. BAD: the other C0
 * controls, DEL, the other C1 controls, the bidi embeddings, overrides
 * and isolates (U+202A-U+202E, U+2066-U+2069), the noncharacters U+FFFE
 * and U+FFFF, and MF_LABEL_INVALID. Everything else (U+FFFD included) is
 * PLAIN.
 */
enum mf_label_char mf_label_char_class(uint32_t cp);

/*
 * True when url may be rendered as a link: http:// or https:// (any
 * case), a non-empty host, at most 2048 bytes, and only the ASCII
 * characters A-Z a-z 0-9 - . _ ~ : / ? # @ ! $ & + , ; = * and %XX
 * escapes. Anything else (spaces, quotes, brackets, parentheses, angle
 * brackets, backslashes, non-ASCII) could break out of Markdown or HTML
 * link syntax or hide the target, so such URLs are shown as text.
 */
bool mf_label_url_linkable(const char *url);

/*
 * Length of the run at the start of s (at most len bytes) of ASCII from
 * 0x20 to 0x7E whose bytes are all 0 in stop: the writers copy such runs
 * in one go. Space ends the run unless stop[' '] is 0.
 */
size_t mf_label_plain_run(const char *s, size_t len,
                          const unsigned char stop[128]);

/* True for [a-z0-9][a-z0-9-]{0,62}: safe to put into a URL path. */
bool mf_label_slug_ok(const char *s);

#endif
