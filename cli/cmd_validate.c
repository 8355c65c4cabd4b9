/*
 * `modelfacts validate`: modelfacts documents against the registry's own
 * schemas and rules (cli/validate_document.c), or with --schema any JSON
 * document against any schema (cli/cmd_validate_schema.c).
 */
#include "cli/commands.h"

#include <string.h>

int
cmd_validate(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "--schema") == 0 ||
		    strncmp(argv[i], "--schema=", 9) == 0)
			return mf_cli_validate_with_schema(argc, argv);
	return mf_cli_validate_documents(argc, argv);
}
