/* Slug validation (see slug.h). */
#include "common/slug.h"

#include <stddef.h>

bool
mf_slug_valid(const char *s)
{
	size_t n;

	if (s == NULL)
		return false;
	for (n = 0; s[n]; n++) {
		char c = s[n];
		int ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		         (c == '-' && n > 0);

		if (!ok || n >= MF_SLUG_MAX)
			return false;
	}
	return n > 0;
}

bool
mf_index_id_valid(const char *s)
{
	size_t n;

	for (n = 0; s[n]; n++)
		if (!((s[n] >= 'a' && s[n] <= 'z') ||
		      (s[n] >= '0' && s[n] <= '9') ||
		      (n > 0 && (s[n] == '.' || s[n] == '-'))) ||
		    n >= 63)
			return false;
	return n > 0;
}
