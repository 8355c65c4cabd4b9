/*
 * `modelfacts validate`: modelfacts documents against the registry's own
 * schemas and rules (cli/validate_document.c), or with --schema any JSON
 * document against any schema (cli/cmd_validate_schema.c). `validate
 * --help` describes both modes here, with examples.
 */
#include "cli/commands.h"
#include "cli/util.h"

#include <stdio.h>
#include <string.h>

static void
usage(FILE *out)
{
	fprintf(
	    out,
	    "usage: modelfacts validate [--json] FILE...\n"
	    "       modelfacts validate --schema SCHEMA.json "
	    "[--ref URL=DIR]...\n"
	    "                           [--draft 2020-12|7] [--assert-format] "
	    "[--json] FILE...\n\n"
	    "Without --schema: checks each FILE (a disclosure, "
	    "eval-result, assessment or\nkey-event payload, an in-toto "
	    "Statement carrying an eval result, or a signed\nDSSE "
	    "envelope around one; \"-\" reads stdin) against its schema "
	    "and the semantic\nrules (a Statement's shape and subject "
	    "first, as the registry checks them),\nand prints errors and "
	    "warnings with JSON pointers; for disclosures also the\n"
	    "modelfacts-v1 score.\nWith --schema: any JSON document "
	    "against any JSON Schema\n(`modelfacts validate --schema S "
	    "--help` says more).\n\n"
	    "  --json                print one machine-readable report\n"
	    "  --schema SCHEMA.json  validate against this schema "
	    "instead\n"
	    "  --ref URL=DIR         with --schema: resolve $refs starting "
	    "with URL from\n"
	    "                        files under DIR (repeatable)\n"
	    "  --draft 2020-12|7     with --schema: the dialect of a schema "
	    "without\n"
	    "                        $schema (default 2020-12)\n"
	    "  --assert-format       with --schema: assert `format` in "
	    "2020-12 too (an\n"
	    "                        annotation there by default)\n\n"
	    "Exit 0 all valid, 1 some invalid, 2 usage or I/O error.\n\n"
	    "examples:\n"
	    "  modelfacts validate examples/disclosure-open.json\n"
	    "  modelfacts validate --json envelope.json\n"
	    "  modelfacts validate result.intoto.json\n"
	    "  modelfacts validate --schema schema.json --ref "
	    "https://example.org/=schemas/ doc.json\n");
}

int
cmd_validate(int argc, char **argv)
{
	int i, help = 0;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--schema") == 0 ||
		    strncmp(argv[i], "--schema=", 9) == 0)
			return mf_cli_validate_with_schema(argc, argv);
		help |= strcmp(argv[i], "--help") == 0 ||
		        strcmp(argv[i], "-h") == 0;
	}
	if (help) {
		usage(stdout);
		return MF_EXIT_OK;
	}
	return mf_cli_validate_documents(argc, argv);
}
