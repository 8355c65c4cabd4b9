/*
 * `modelfacts validate`: for now only the `--schema` form (any document
 * against any schema, cli/cmd_validate_schema.c); validating modelfacts
 * documents against the registry's own schemas comes later.
 */
#include "cli/commands.h"

#include <stdio.h>
#include <string.h>

int
cmd_validate(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "--schema") == 0 ||
		    strncmp(argv[i], "--schema=", 9) == 0 ||
		    strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0)
			return mf_cli_validate_with_schema(argc, argv);
	fprintf(stderr, "modelfacts validate: document validation: not yet "
	                "available (use --schema SCHEMA.json; see "
	                "`modelfacts validate --help`)\n");
	return 2;
}
