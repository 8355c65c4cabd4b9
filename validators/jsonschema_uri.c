/*
 * URI reference resolution (RFC 3986 section 5.2) for $id and $ref, and
 * the fragment handling that JSON pointers in $ref need. Pure string work;
 * nothing here touches the network or the file system.
 */
#include "validators/jsonschema_internal.h"

#include "common/buf.h"
#include "common/encoding.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

struct uri_parts {
	const char *scheme, *auth, *path, *query, *frag;
	size_t scheme_n, auth_n, path_n, query_n, frag_n;
	bool has_scheme, has_auth, has_query, has_frag;
};

/* Splits a URI reference into its five components (RFC 3986 appendix B). */
static void
uri_parse(const char *s, struct uri_parts *u)
{
	const char *p = s, *q;

	memset(u, 0, sizeof(*u));
	/* scheme: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":" */
	if (isalpha((unsigned char)*p)) {
		q = p + 1;
		while (isalnum((unsigned char)*q) || *q == '+' || *q == '-' ||
		       *q == '.')
			q++;
		if (*q == ':') {
			u->has_scheme = true;
			u->scheme = p;
			u->scheme_n = (size_t)(q - p);
			p = q + 1;
		}
	}
	if (p[0] == '/' && p[1] == '/') {
		p += 2;
		u->has_auth = true;
		u->auth = p;
		while (*p && *p != '/' && *p != '?' && *p != '#')
			p++;
		u->auth_n = (size_t)(p - u->auth);
	}
	u->path = p;
	while (*p && *p != '?' && *p != '#')
		p++;
	u->path_n = (size_t)(p - u->path);
	if (*p == '?') {
		u->has_query = true;
		u->query = ++p;
		while (*p && *p != '#')
			p++;
		u->query_n = (size_t)(p - u->query);
	}
	if (*p == '#') {
		u->has_frag = true;
		u->frag = p + 1;
		u->frag_n = strlen(u->frag);
	}
}

/* RFC 3986 5.2.4: removes "." and ".." segments; appends to out. */
static int
remove_dot_segments(struct mf_buf *out, const char *in, size_t n)
{
	char *buf = malloc(n + 1), *p;
	size_t start = out->len;
	int rc = 0;

	if (buf == NULL)
		return MF_E_NOMEM;
	memcpy(buf, in, n);
	buf[n] = '\0';
	p = buf;
	while (*p != '\0' && rc == 0) {
		if (strncmp(p, "../", 3) == 0) {
			p += 3;
		} else if (strncmp(p, "./", 2) == 0) {
			p += 2;
		} else if (strncmp(p, "/./", 3) == 0) {
			p += 2;
		} else if (strcmp(p, "/.") == 0) {
			p[1] = '\0';
		} else if (strncmp(p, "/../", 4) == 0 ||
		           strcmp(p, "/..") == 0) {
			/* Drop the last segment already in the output. */
			size_t len = out->len;

			while (len > start && out->data[len - 1] != '/')
				len--;
			if (len > start)
				len--;
			out->len = len;
			if (out->data != NULL)
				out->data[len] = '\0';
			if (p[3] == '\0')
				p[1] = '\0'; /* "/.." becomes "/" */
			else
				p += 3;
		} else if (strcmp(p, ".") == 0 || strcmp(p, "..") == 0) {
			break;
		} else {
			/* Move the first segment (with its leading '/'). */
			const char *e = p + (*p == '/');

			while (*e && *e != '/')
				e++;
			rc = mf_buf_append(out, p, (size_t)(e - p));
			p = (char *)e;
		}
	}
	free(buf);
	return rc;
}

char *
mf_js_uri_resolve(const char *base, const char *ref)
{
	struct uri_parts b, r;
	struct mf_buf out = MF_BUF_INIT;
	int rc = 0;

	uri_parse(base, &b);
	uri_parse(ref, &r);
	if (r.has_scheme) {
		rc |= mf_buf_append(&out, r.scheme, r.scheme_n);
		rc |= mf_buf_putc(&out, ':');
		if (r.has_auth) {
			rc |= mf_buf_puts(&out, "//");
			rc |= mf_buf_append(&out, r.auth, r.auth_n);
		}
		rc |= remove_dot_segments(&out, r.path, r.path_n);
		if (r.has_query) {
			rc |= mf_buf_putc(&out, '?');
			rc |= mf_buf_append(&out, r.query, r.query_n);
		}
	} else {
		if (b.has_scheme) {
			rc |= mf_buf_append(&out, b.scheme, b.scheme_n);
			rc |= mf_buf_putc(&out, ':');
		}
		if (r.has_auth) {
			rc |= mf_buf_puts(&out, "//");
			rc |= mf_buf_append(&out, r.auth, r.auth_n);
			rc |= remove_dot_segments(&out, r.path, r.path_n);
			if (r.has_query) {
				rc |= mf_buf_putc(&out, '?');
				rc |= mf_buf_append(&out, r.query, r.query_n);
			}
		} else {
			if (b.has_auth) {
				rc |= mf_buf_puts(&out, "//");
				rc |= mf_buf_append(&out, b.auth, b.auth_n);
			}
			if (r.path_n == 0) {
				rc |= mf_buf_append(&out, b.path, b.path_n);
				if (r.has_query) {
					rc |= mf_buf_putc(&out, '?');
					rc |= mf_buf_append(&out, r.query,
					                    r.query_n);
				} else if (b.has_query) {
					rc |= mf_buf_putc(&out, '?');
					rc |= mf_buf_append(&out, b.query,
					                    b.query_n);
				}
			} else {
				struct mf_buf merged = MF_BUF_INIT;

				if (r.path[0] == '/') {
					rc |= mf_buf_append(&merged, r.path,
					                    r.path_n);
				} else {
					/* 5.2.3: merge with the base path. */
					size_t k = b.path_n;

					while (k > 0 && b.path[k - 1] != '/')
						k--;
					if (b.has_auth && b.path_n == 0)
						rc |= mf_buf_putc(&merged, '/');
					else
						rc |= mf_buf_append(&merged,
						                    b.path, k);
					rc |= mf_buf_append(&merged, r.path,
					                    r.path_n);
				}
				if (rc == 0 && merged.data != NULL)
					rc |= remove_dot_segments(
					    &out, merged.data, merged.len);
				mf_buf_dispose(&merged);
				if (r.has_query) {
					rc |= mf_buf_putc(&out, '?');
					rc |= mf_buf_append(&out, r.query,
					                    r.query_n);
				}
			}
		}
	}
	if (r.has_frag) {
		rc |= mf_buf_putc(&out, '#');
		rc |= mf_buf_append(&out, r.frag, r.frag_n);
	}
	if (rc == 0 && out.data == NULL)
		rc = mf_buf_puts(&out, "");
	if (rc != 0) {
		mf_buf_dispose(&out);
		return NULL;
	}
	return mf_buf_detach(&out, NULL);
}

int
mf_js_uri_split(const char *uri, char **abs_out, const char **frag_out)
{
	const char *h = strchr(uri, '#');
	size_t n = h ? (size_t)(h - uri) : strlen(uri);

	*abs_out = malloc(n + 1);
	if (*abs_out == NULL)
		return MF_E_NOMEM;
	memcpy(*abs_out, uri, n);
	(*abs_out)[n] = '\0';
	*frag_out = h ? h + 1 : uri + n;
	return 0;
}

char *
mf_js_percent_decode(const char *s)
{
	char *out = malloc(strlen(s) + 1), *o = out;

	if (out == NULL)
		return NULL;
	while (*s) {
		if (*s == '%') {
			int h = mf_hex_digit((unsigned char)s[1]), l;

			l = h < 0 ? -1 : mf_hex_digit((unsigned char)s[2]);
			if (h < 0 || l < 0 || (h == 0 && l == 0)) {
				free(out);
				return NULL;
			}
			*o++ = (char)(h * 16 + l);
			s += 3;
		} else {
			*o++ = *s++;
		}
	}
	*o = '\0';
	return out;
}
