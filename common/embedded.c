/* Lookup in the table that scripts/embed.c generates. */
#include "common/embedded.h"

#include <string.h>

const struct mf_embedded *
mf_embedded_get(const char *name)
{
	const struct mf_embedded *e;

	for (e = mf_embedded_files; e->name != NULL; e++)
		if (strcmp(e->name, name) == 0)
			return e;
	return NULL;
}
