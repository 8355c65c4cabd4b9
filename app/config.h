/*
 * Server configuration: one declarative table (config.c) gives every
 * option its flag, environment variable, default, bounds and help text.
 * Precedence: defaults < the --config file < environment < command-line
 * flags.
 */
#ifndef MF_CONFIG_H
#define MF_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define MF_CONFIG_STR_MAX 1024

struct mf_config {
	char listen[64];
	unsigned long port;
	char database_url[MF_CONFIG_STR_MAX];
	char database_url_read[MF_CONFIG_STR_MAX]; /* "": no read replica */
	unsigned long replica_max_lag;             /* seconds */
	char state_dir[MF_CONFIG_STR_MAX];
	char git_dir[MF_CONFIG_STR_MAX];
	char origin[256];
	char public_url[MF_CONFIG_STR_MAX];
	unsigned long threads;
	unsigned long max_body;
	unsigned long max_connections;
	unsigned long per_ip_limit;
	unsigned long conn_timeout;
	unsigned long db_timeout; /* ms: the longest wait for the database */
	unsigned long header_timeout;
	unsigned long body_timeout;
	unsigned long rate_read;
	unsigned long rate_submit;
	unsigned long rate_submit_key;
	char trusted_proxy[MF_CONFIG_STR_MAX];
	char rate_exempt[MF_CONFIG_STR_MAX]; /* CIDRs no per-client bucket holds
	                                      */
	unsigned long rate_nodes;            /* each limit divided among them */
	bool metrics;                        /* serve GET /metrics */
	char metrics_token[MF_CONFIG_STR_MAX]; /* its token file, or "" */
	char log_format[16];                   /* text or json */
	char log_level[16];
	unsigned long issued_at_window;
	bool migrate_only;
	bool no_publisher;
	bool no_git_publisher;
	unsigned long lease_ms; /* the sequencer's and publisher's leases */
	/* deployment (issue 16): HTTPS, the unprivileged user, git mirrors
	 * (one URL a line: --git-mirror may be given again) */
	char tls_cert[MF_CONFIG_STR_MAX];
	char tls_key[MF_CONFIG_STR_MAX];
	char user[64];
	char group[64];
	char git_mirrors[4 * MF_CONFIG_STR_MAX];
	/* witnessed checkpoints (issue 17): a C2SP tlog-policy file whose
	 * `witness` lines (with a URL) say whom to ask for cosignatures */
	char witnesses[MF_CONFIG_STR_MAX];
	/* a file of "name = value" lines, re-read on SIGHUP */
	char config_file[MF_CONFIG_STR_MAX];
};

/*
 * Fills cfg from defaults, the environment and argv. Returns 0, 1 when
 * --help was printed (the caller exits 0), or -1 after printing what is
 * wrong to `err` (the caller exits 2).
 */
int mf_config_load(struct mf_config *cfg, int argc, char **argv, FILE *err);
void mf_config_usage(FILE *out);

#endif
