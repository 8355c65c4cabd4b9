-- Key rotation (issue 16). The registry row keeps the CURRENT log and
-- commit keys, as before; this table keeps the others: a log key that
-- co-signs checkpoints during a rotation's overlap ('next'), and every key
-- rotated out ('retired') with its validity window, so old git commits
-- still verify (allowed_signers' valid-after / valid-before) and old
-- checkpoints name the key that signed them. Written by the CLI's
-- `admin rotate-commit-key` and `admin rotate-log-key` (cli/cmd_rotate.c).
CREATE TABLE registry_keys (
	kind text NOT NULL CHECK (kind IN ('log', 'commit')),
	public_key text NOT NULL,
	status text NOT NULL CHECK (status IN ('next', 'retired')),
	-- a retired key: when it started and stopped being valid (NULL: from
	-- the registry's start); commit keys: git commit times
	valid_after timestamptz,
	valid_before timestamptz,
	-- a retired commit key: from when its successor is valid (at or
	-- before valid_before: entries accepted before the rotation and
	-- published after it are signed by the successor)
	successor_valid_after timestamptz,
	-- a log key: it signs checkpoints of sizes above signed_after_size
	-- (NULL: from the start) up to signed_until_size (NULL: still does)
	signed_after_size bigint,
	signed_until_size bigint,
	changed_at timestamptz NOT NULL DEFAULT clock_timestamp(),
	PRIMARY KEY (kind, public_key)
);
