/* Route pattern matching (see router.h). */
#include "http/router.h"

#include "common/encoding.h"

#include <ctype.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

/*
 * Matches path against pattern, copying parameter values into m->buf.
 * Returns the number of parameters, or -1.
 */
static int
match_pattern(const char *pattern, const char *path, struct mf_route_match *m)
{
	const char *p = pattern, *s = path;
	size_t used = 0, n, lit;
	int np = 0;

	while (*p && *s) {
		if (*p == '{') {
			const char *close = strchr(p, '}');
			int rest = close && close > p && close[-1] == '*';

			if (close == NULL || np >= MF_ROUTE_MAX_PARAMS)
				return -1;
			n = rest ? strlen(s) : strcspn(s, "/");
			/* "{model}.svg": literal text after a parameter in
			 * the same segment is a suffix the segment must end
			 * with, and is not part of the value */
			lit = rest ? 0 : strcspn(close + 1, "/{");
			if (lit > 0 &&
			    (n <= lit ||
			     strncmp(s + n - lit, close + 1, lit) != 0))
				return -1;
			n -= lit;
			if (n == 0 || used + n + 1 > sizeof(m->buf))
				return -1;
			memcpy(m->buf + used, s, n);
			m->buf[used + n] = '\0';
			m->params[np++] = m->buf + used;
			used += n + 1;
			s += n;
			p = close + 1;
			continue;
		}
		if (*p != *s)
			return -1;
		p++;
		s++;
	}
	return *p == '\0' && *s == '\0' ? np : -1;
}

int
mf_router_match(const struct mf_route *routes, size_t nroutes,
                const char *method, const char *path, struct mf_route_match *m)
{
	const char *want = strcmp(method, "HEAD") == 0 ? "GET" : method;
	size_t i, alen = 0;
	int np;

	memset(m, 0, sizeof(*m));
	if (strlen(path) >= MF_ROUTE_PATH_MAX)
		return -1;
	for (i = 0; i < nroutes; i++) {
		struct mf_route_match tmp;

		if ((np = match_pattern(routes[i].pattern, path, &tmp)) < 0)
			continue;
		if (strcmp(routes[i].method, want) == 0) {
			memcpy(m->buf, tmp.buf, sizeof(m->buf));
			for (int k = 0; k < np; k++)
				m->params[k] =
				    m->buf + (tmp.params[k] - tmp.buf);
			m->nparams = np;
			m->route = &routes[i];
			m->path_known = 1;
			return 0;
		}
		m->path_known = 1;
		if (strstr(m->allow, routes[i].method) == NULL) {
			int w = snprintf(m->allow + alen,
			                 sizeof(m->allow) - alen, "%s%s",
			                 alen ? ", " : "", routes[i].method);

			if (w > 0 && (size_t)w < sizeof(m->allow) - alen)
				alen += (size_t)w;
			if (strcmp(routes[i].method, "GET") == 0 &&
			    (w = snprintf(m->allow + alen,
			                  sizeof(m->allow) - alen, ", HEAD")) >
			        0 &&
			    (size_t)w < sizeof(m->allow) - alen)
				alen += (size_t)w;
		}
	}
	return -1;
}

static int
hexval(char c)
{
	return isdigit((unsigned char)c) ? c - '0'
	                                 : tolower((unsigned char)c) - 'a' + 10;
}

int
mf_router_target_ok(const char *target)
{
	const char *s;
	unsigned char *dec, *d;
	size_t i, n;
	int rc = 0;

	/* 1. percent-decode the path (the query and fragment are not it) */
	if ((dec = malloc(strlen(target) + 1)) == NULL)
		return -1;
	for (s = target, d = dec; *s != '\0' && *s != '?' && *s != '#'; s++) {
		if (s[0] == '%' && isxdigit((unsigned char)s[1]) &&
		    isxdigit((unsigned char)s[2])) {
			*d++ =
			    (unsigned char)(hexval(s[1]) * 16 + hexval(s[2]));
			s += 2;
		} else {
			*d++ = (unsigned char)*s;
		}
	}
	n = (size_t)(d - dec);
	/* 2. no control byte, and well-formed UTF-8 (a database would
	 * refuse the rest as a parameter, as an internal error) */
	for (i = 0; i < n && rc == 0; i++) {
		size_t u = mf_utf8_char_len(dec + i, n - i);

		if (u == 0 || dec[i] < 0x20 || dec[i] == 0x7f)
			rc = -1;
		else
			i += u - 1;
	}
	free(dec);
	return rc;
}
