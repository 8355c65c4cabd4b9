/*
 * modelfacts: the command line for people who publish and verify. Each
 * command lives in its own cli/cmd_*.c; this file only dispatches.
 */
#include "cli/commands.h"
#include "common/version.h"

#include <stdio.h>
#include <string.h>

const struct mf_cli_command mf_cli_commands[] = {
    {"keygen", cmd_keygen, "make a signing key pair and print its key id"},
    {"sign", cmd_sign, "sign a payload into a DSSE envelope"},
    {"submit", cmd_submit, "send envelopes to a registry"},
    {"verify", cmd_verify, "verify an envelope offline with a public key"},
    {"verify-log", cmd_verify_log,
     "verify checkpoints and proofs; follow a registry's log"},
    {"admin", cmd_admin, "operator commands (create-org)"},
    {"import", cmd_import, "import FMTI data (indices, scores, reports)"},
    {"query", cmd_query, "search the registry's models; print a table"},
    {"compare", cmd_compare, "compare 2 to 8 models side by side"},
    {"version", cmd_version, "print the version"},
    {"validate", cmd_validate,
     "check documents (modelfacts types, or --schema any schema)"},
    {NULL, NULL, NULL},
};

static void
usage(FILE *out)
{
	const struct mf_cli_command *c;

	fprintf(out, "usage: modelfacts COMMAND [ARG]...\n\ncommands:\n");
	for (c = mf_cli_commands; c->name != NULL; c++)
		fprintf(out, "  %-12s %s\n", c->name, c->summary);
	fprintf(out, "\n`modelfacts COMMAND --help` describes a command.\n");
}

int
cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("modelfacts %s\n", MF_VERSION);
	return 0;
}

int
main(int argc, char **argv)
{
	const struct mf_cli_command *c;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0)
		return cmd_version(argc - 1, argv + 1);
	for (c = mf_cli_commands; c->name != NULL; c++)
		if (strcmp(c->name, argv[1]) == 0)
			return c->run(argc - 1, argv + 1);
	fprintf(stderr, "modelfacts: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return 2;
}
