/*
 * The CLI's commands: each is `int cmd_x(int argc, char **argv)` in
 * cli/cmd_x.c, gets argv[0] = its own name, and returns the exit status
 * (0 success, 1 the check failed, 2 usage or I/O error). `--help` on any
 * command or nested command prints its usage, every flag and an
 * `examples:` section to stdout and exits 0.
 */
#ifndef MF_CLI_COMMANDS_H
#define MF_CLI_COMMANDS_H

/*
 * One row of the command table (cli/main.c): what `modelfacts --help`
 * lists, what main() dispatches, and what `modelfacts completion bash`
 * turns into the bash completion (cli/modelfacts.bash-completion), so the
 * three cannot drift; tests/integration/test_cli.py checks every row's
 * flags against its --help.
 */
struct mf_cli_command {
	/* "admin", or for a nested command "admin create-org" (its parent
	 * dispatches it; run is NULL) */
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
	/* every flag, space-separated; "=" after one that takes a value
	 * ("--org= --json"); --help is implied */
	const char *flags;
};

/* Ends with a row whose name is NULL. */
extern const struct mf_cli_command mf_cli_commands[];

/* `modelfacts completion bash`: prints the completion script. */
int cmd_completion(int argc, char **argv);

int cmd_version(int argc, char **argv);
int cmd_keygen(int argc, char **argv);
int cmd_sign(int argc, char **argv);
int cmd_submit(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_admin(int argc, char **argv);
/* `admin export-tiles DIR` (cli/cmd_export_tiles.c) */
int mf_cli_admin_export_tiles(int argc, char **argv);
/* `admin backup DIR` (cli/cmd_backup.c), `admin restore DIR`
 * (cli/cmd_restore.c); argv[0] "backup" / "restore" */
int mf_cli_admin_backup(int argc, char **argv);
int mf_cli_admin_restore(int argc, char **argv);
/* `admin rotate-commit-key`, `admin rotate-log-key` (cli/cmd_rotate.c);
 * argv[0] the command's name */
int mf_cli_admin_rotate(int argc, char **argv);
int cmd_verify_log(int argc, char **argv);
int cmd_validate(int argc, char **argv);
/* `validate --schema S [--ref URL=DIR]... [--json] FILE...` */
int mf_cli_validate_with_schema(int argc, char **argv);
int cmd_import(int argc, char **argv);
/* `import evals FILE...` (cli/cmd_import_evals.c) */
int mf_cli_import_evals(int argc, char **argv);
/* `import hf-card README.md ...` (cli/cmd_import_hf.c); argv[0] "hf-card" */
int cmd_import_hf(int argc, char **argv);
/* `query` (GET /v1/models) and `compare` (GET /v1/compare): cmd_query.c */
int cmd_query(int argc, char **argv);
int cmd_compare(int argc, char **argv);
/* `witness`, `witness keygen`, `witness evidence` (cli/cmd_witness.c) */
int cmd_witness(int argc, char **argv);

/*
 * `modelfacts validate [--json] FILE...` (cli/validate_document.c): what
 * cmd_validate runs for everything but --schema.
 */
int mf_cli_validate_documents(int argc, char **argv);

/* `import fmti --submit` (cli/import_submit.c). */
struct mf_fmti_import;
int mf_cli_fmti_submit(const struct mf_fmti_import *imp, const char *url,
                       const char *token_file, const char *keys_dir);

/*
 * `modelfacts import SOURCE ...`: each source is a function run with
 * argv[0] = SOURCE, listed in cli/cmd_import.c's table of sources (and as
 * "import SOURCE" in the command table). Shared flags, by meaning:
 * --registry URL (the server), --origin NAME (the registry's name in
 * payloads: mf_cli_origin), --token-file FILE (mf_cli_admin_token).
 */
int mf_cli_import_fmti(int argc, char **argv);

#endif
