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
