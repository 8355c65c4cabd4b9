/*
 * modelfacts: the command line for people who publish and verify. Each
 * command lives in its own cli/cmd_*.c; this file holds the command table
 * (names, summaries, flags) and dispatches, and turns the same table into
 * the bash completion so the two cannot drift.
 */
#include "cli/commands.h"
#include "cli/util.h"
#include "common/version.h"

#include <stdio.h>
#include <string.h>

/*
 * Flags by meaning, the same everywhere: --registry URL (a server; else
 * $MODELFACTS_URL), --origin NAME (the registry's name inside payloads;
 * else $MODELFACTS_ORIGIN), --token-file FILE (the admin token; else
 * $MODELFACTS_TOKEN_FILE), --json (the registry's or a machine-readable
 * answer), --key (a private key to sign, or the log's verifier key).
 */
const struct mf_cli_command mf_cli_commands[] = {
    {"keygen", cmd_keygen, "make a signing key pair and print its key id",
     "--type= --out="},
    {"sign", cmd_sign, "sign a payload into a DSSE envelope", "--key= --type="},
    {"submit", cmd_submit, "send envelopes to a registry",
     "--registry= --json"},
    {"verify", cmd_verify, "verify an envelope offline with a public key",
     "--pubkey="},
    {"verify-log", cmd_verify_log,
     "verify checkpoints and proofs; follow a registry's log", ""},
    {"verify-log checkpoint", NULL, "verify a signed checkpoint", "--key="},
    {"verify-log receipt", NULL, "verify a submission response", "--key="},
    {"verify-log inclusion", NULL, "verify an inclusion proof",
     "--key= --checkpoint= --proof= --leaf= --leaf-hash="},
    {"verify-log consistency", NULL, "verify a consistency proof",
     "--key= --old= --new= --proof="},
    {"verify-log follow", NULL,
     "fetch and check a registry's latest checkpoint",
     "--registry= --state= --key="},
    {"verify-log entry", NULL, "prove a registry's log entry is included",
     "--registry= --key="},
    {"verify-log proof", NULL,
     "write or verify an offline C2SP tlog-proof file",
     "--write= --registry= --key= --leaf="},
    {"admin", cmd_admin, "operator commands", ""},
    {"admin create-org", NULL, "register an organisation and its first key",
     "--org= --name= --role= --public-key= --registry= --token-file="},
    {"admin export-tiles", NULL,
     "write the log as C2SP tlog-tiles files for a static host",
     "--registry= --key="},
    {"admin backup", NULL,
     "back up the database, repository and sealed keys into DIR",
     "--passphrase-file= --recipient= --database-url= --state-dir= "
     "--git-dir="},
    {"admin restore", NULL,
     "restore a backup into an empty database and state directory",
     "--passphrase-file= --identity= --database-url= --state-dir= "
     "--git-dir="},
    {"admin rotate-commit-key", NULL,
     "replace the git commit signing key (old commits still verify)",
     "--database-url= --state-dir="},
    {"admin rotate-log-key", NULL,
     "replace the log key, with an overlap of co-signed checkpoints",
     "--begin --finish --database-url= --state-dir="},
    {"import", cmd_import, "import data sets into payloads or a registry", ""},
    {"import fmti", NULL, "import the FMTI (indices, scores, reports)",
     "--report --out= --origin= --submit --registry= --token-file= "
     "--keys="},
    {"import evals", NULL,
     "eval-harness outputs (lm-eval, Inspect, HELM) into eval results",
     "--org= --model= --version= --disclosure= --evaluator= --format= "
     "--in-toto --out= --origin= --seq= --harness-version="},
    {"import hf-card", NULL,
     "a Hugging Face model card into a disclosure and eval results",
     "--eval-results= --org= --model= --out= --report --origin= --seq= "
     "--supersedes="},
    {"query", cmd_query, "search the registry's models; print a table",
     "--org= --q= --limit= --after= --json --csv --registry="},
    {"compare", cmd_compare, "compare 2 to 8 models side by side",
     "--as_of= --json --csv --registry="},
    {"version", cmd_version, "print the version", ""},
    {"validate", cmd_validate,
     "check documents (modelfacts types, or --schema any schema)",
     "--json --schema= --ref= --draft= --assert-format"},
    {"witness", cmd_witness,
     "run a C2SP tlog-witness that cosigns logs' checkpoints",
     "--key= --state= --log= --listen= --threads="},
    {"witness keygen", NULL, "make a witness's cosigning key pair", "--out="},
    {"witness evidence", NULL, "list the split views a witness recorded",
     "--state="},
    {"completion", cmd_completion, "print the bash completion script", ""},
    {NULL, NULL, NULL, NULL},
};

static void
usage(FILE *out)
{
	const struct mf_cli_command *c;

	fprintf(out, "usage: modelfacts COMMAND [ARG]...\n\ncommands:\n");
	for (c = mf_cli_commands; c->name != NULL; c++)
		fprintf(out, "  %-24s %s\n", c->name, c->summary);
	fprintf(out,
	        "\n`modelfacts COMMAND --help` describes a command, "
	        "`modelfacts COMMAND SUB --help`\na nested one. Commands that "
	        "talk to a server take --registry URL (else\n$MODELFACTS_URL, "
	        "else http://127.0.0.1:8080); the admin token comes from\n"
	        "--token-file, $MODELFACTS_TOKEN_FILE, $MODELFACTS_ADMIN_TOKEN "
	        "or the state\ndirectory `make run` recorded. Exit 0 ok, 1 "
	        "refused or not verified, 2 usage\nor I/O error.\n\n"
	        "examples:\n"
	        "  modelfacts keygen --out acme\n"
	        "  modelfacts admin create-org --help\n"
	        "  source <(modelfacts completion bash)\n");
}

/* Says whether argv[1] asks for help (the argument a command got). */
static int
wants_help(int argc, char **argv)
{
	return argc >= 2 &&
	       (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0);
}

int
cmd_version(int argc, char **argv)
{
	if (wants_help(argc, argv)) {
		printf("usage: modelfacts version\n\nPrints the version of "
		       "this modelfacts.\n\nexamples:\n"
		       "  modelfacts version\n");
		return MF_EXIT_OK;
	}
	if (argc > 1) {
		fprintf(stderr, "usage: modelfacts version\n");
		return MF_EXIT_USAGE;
	}
	printf("modelfacts %s\n", MF_VERSION);
	return MF_EXIT_OK;
}

/* One bash `case` arm per row: "NAME") echo "WORDS" ;; */
static void
case_arm(const char *name, const char *words)
{
	printf("\t\"%s\") echo \"%s\" ;;\n", name, words);
}

/* The words of the nested rows under parent: "create-org". */
static void
nested_names(char *out, size_t n, const char *parent)
{
	const struct mf_cli_command *c;
	size_t plen = strlen(parent), used = 0;

	out[0] = '\0';
	for (c = mf_cli_commands; c->name != NULL; c++) {
		if (strncmp(c->name, parent, plen) != 0 || c->name[plen] != ' ')
			continue;
		used += (size_t)snprintf(out + used, n - used, "%s%s",
		                         used ? " " : "", c->name + plen + 1);
		if (used >= n)
			break;
	}
}

static void
completion_usage(FILE *out)
{
	fprintf(out,
	        "usage: modelfacts completion bash\n\n"
	        "Prints the bash completion of modelfacts (commands, nested "
	        "commands, their\nflags, file names), made from the command "
	        "table; cli/modelfacts.bash-completion\nis this output. "
	        "Source it, or copy it to /etc/bash_completion.d/.\n\n"
	        "examples:\n"
	        "  source <(modelfacts completion bash)\n"
	        "  modelfacts completion bash > "
	        "~/.local/share/bash-completion/completions/modelfacts\n");
}

int
cmd_completion(int argc, char **argv)
{
	const struct mf_cli_command *c;
	char words[1024];

	if (wants_help(argc, argv)) {
		completion_usage(stdout);
		return MF_EXIT_OK;
	}
	if (argc != 2 || strcmp(argv[1], "bash") != 0) {
		completion_usage(stderr);
		return MF_EXIT_USAGE;
	}
	printf("# bash completion for modelfacts. Generated from the command "
	       "table in cli/main.c\n# by `modelfacts completion bash`: do "
	       "not edit (tests/integration/test_cli.py\n# checks that it is "
	       "current). Use: source cli/modelfacts.bash-completion\n\n");
	printf("# The flags of a command (\"=\": takes a value).\n"
	       "_modelfacts_flags() {\n\tcase \"$1\" in\n");
	for (c = mf_cli_commands; c->name != NULL; c++)
		if (c->flags[0] != '\0')
			case_arm(c->name, c->flags);
	printf("\tesac\n}\n\n# The nested commands of a command.\n"
	       "_modelfacts_subs() {\n\tcase \"$1\" in\n");
	for (c = mf_cli_commands; c->name != NULL; c++) {
		nested_names(words, sizeof(words), c->name);
		if (words[0] != '\0')
			case_arm(c->name, words);
	}
	printf("\tesac\n}\n\n_modelfacts() {\n"
	       "\tlocal cur=${COMP_WORDS[COMP_CWORD]} "
	       "prev=${COMP_WORDS[COMP_CWORD - 1]}\n"
	       "\tlocal cmd subs flags f\n\tCOMPREPLY=()\n"
	       "\tif [ \"$COMP_CWORD\" -eq 1 ]; then\n"
	       "\t\tCOMPREPLY=($(compgen -W \"");
	for (c = mf_cli_commands; c->name != NULL; c++)
		if (strchr(c->name, ' ') == NULL)
			printf("%s ", c->name);
	printf("--help --version\" -- \"$cur\"))\n\t\treturn\n\tfi\n"
	       "\tcmd=${COMP_WORDS[1]}\n"
	       "\tsubs=$(_modelfacts_subs \"$cmd\")\n"
	       "\tif [ -n \"$subs\" ]; then\n"
	       "\t\tif [ \"$COMP_CWORD\" -eq 2 ]; then\n"
	       "\t\t\tflags=$(_modelfacts_flags \"$cmd\")\n"
	       "\t\t\tCOMPREPLY=($(compgen -W \"$subs ${flags//=/} --help\" "
	       "-- \"$cur\"))\n"
	       "\t\t\treturn\n\t\tfi\n"
	       /* a parent with flags of its own (witness) may have no sub */
	       "\t\t[[ \" $subs \" == *\" ${COMP_WORDS[2]} \"* ]] && "
	       "cmd=\"$cmd ${COMP_WORDS[2]}\"\n\tfi\n"
	       "\tflags=$(_modelfacts_flags \"$cmd\")\n"
	       "\t# After a flag that takes a value: file names (the "
	       "default).\n"
	       "\tfor f in $flags; do\n"
	       "\t\t[ \"$f\" = \"$prev=\" ] && return\n\tdone\n"
	       "\tif [[ $cur == -* ]]; then\n"
	       "\t\tCOMPREPLY=($(compgen -W \"${flags//=/} --help\" -- "
	       "\"$cur\"))\n\tfi\n}\n\n"
	       "complete -o default -o bashdefault -F _modelfacts "
	       "modelfacts\n");
	return MF_EXIT_OK;
}

int
main(int argc, char **argv)
{
	const struct mf_cli_command *c;

	if (argc < 2) {
		usage(stderr);
		return MF_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return MF_EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0)
		return cmd_version(argc - 1, argv + 1);
	for (c = mf_cli_commands; c->name != NULL; c++)
		if (c->run != NULL && strcmp(c->name, argv[1]) == 0)
			return c->run(argc - 1, argv + 1);
	fprintf(stderr, "modelfacts: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return MF_EXIT_USAGE;
}
