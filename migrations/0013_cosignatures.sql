-- Witnessed checkpoints (issue 17): the cosignatures independent
-- witnesses returned for the log's checkpoints (C2SP tlog-witness v1.0.0,
-- cosignature/v1 of tlog-cosignature v1.0.1), and what each witness last
-- cosigned, so the next request carries the right old size and
-- consistency proof. Written by cosigning/cosigner.c on the node that
-- holds the sequencer lease; served appended to the checkpoint.
CREATE TABLE cosignatures (
	tree_size bigint NOT NULL REFERENCES checkpoints (tree_size)
		ON DELETE CASCADE,
	-- the witness's key name (the name its signature lines carry)
	witness text NOT NULL,
	-- the signed-note signature line, "— <name> <base64>\n", verified
	-- with the witness's key before it was stored
	line text NOT NULL,
	-- the cosignature's own timestamp (POSIX seconds, signed by it)
	cosigned_at bigint NOT NULL,
	received_at timestamptz NOT NULL DEFAULT clock_timestamp(),
	PRIMARY KEY (tree_size, witness)
);

-- The tree size each witness cosigned last, as far as the registry knows
-- (a 409 from the witness corrects it).
CREATE TABLE witness_state (
	witness text PRIMARY KEY,
	tree_size bigint NOT NULL,
	updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
