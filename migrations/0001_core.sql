-- Core tables of DESIGN.md: organisations, keys, models, submissions (the
-- signed envelopes, verbatim), versions, evals, assessments, indices, and
-- the log and publication state. PostgreSQL is the source of truth; the
-- Merkle log and the git repository are derived from these rows.

-- The registry's own identity; exactly one row.
CREATE TABLE registry (
	id boolean PRIMARY KEY DEFAULT true CHECK (id),
	origin text NOT NULL,
	admin_token_sha256 bytea,
	log_verifier_key text,      -- C2SP verifier key that signs checkpoints
	commit_public_key text,     -- ssh-ed25519 line that signs git commits
	created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE orgs (
	org text PRIMARY KEY CHECK (org ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
	name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
	role text NOT NULL CHECK (role IN ('developer', 'evaluator', 'assessor')),
	-- the highest payload seq accepted from this organisation
	last_seq bigint NOT NULL DEFAULT 0,
	created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE submissions (
	id bigserial PRIMARY KEY,
	kind text NOT NULL
		CHECK (kind IN ('disclosure', 'eval-result', 'assessment', 'key-event')),
	org text NOT NULL REFERENCES orgs,          -- the signer's organisation
	keyid text NOT NULL,
	seq bigint NOT NULL,
	subject_org text NOT NULL,
	subject_model text,
	payload_type text NOT NULL,
	payload_sha256 bytea NOT NULL UNIQUE,
	envelope_sha256 bytea NOT NULL,
	envelope bytea NOT NULL,                    -- the request body, byte for byte
	-- the payload's text as signed (validated JSON: queries cast it to
	-- json; jsonb would rewrite numbers such as 3.1e23 and cost a parse
	-- on every insert)
	payload text NOT NULL,
	issued_at timestamptz NOT NULL,
	accepted_at timestamptz NOT NULL DEFAULT now(),
	signer_keyids text[] NOT NULL,              -- the keys whose signatures verified
	-- assigned by the log sequencer after commit, gap-free, with the
	-- entry text exactly as hashed into the Merkle tree
	log_index bigint UNIQUE,
	leaf text,
	UNIQUE (org, seq)
);
-- Base64 barely compresses: storing the envelope out of line uncompressed
-- saves the attempt on every insert. The payload text compresses well.
ALTER TABLE submissions ALTER COLUMN envelope SET STORAGE EXTERNAL;
ALTER TABLE submissions ALTER COLUMN payload SET COMPRESSION lz4;
CREATE INDEX submissions_unsequenced ON submissions (id) WHERE log_index IS NULL;
CREATE INDEX submissions_subject ON submissions (subject_org, subject_model);

CREATE TABLE keys (
	keyid text PRIMARY KEY CHECK (keyid ~ '^[0-9a-f]{64}$'),
	org text NOT NULL REFERENCES orgs,
	alg text NOT NULL
		CHECK (alg IN ('ed25519', 'ecdsa-p256', 'rsa-pss', 'ssh-ed25519')),
	public_key text NOT NULL,                   -- as registered: PEM or ssh line
	spki bytea NOT NULL,                        -- SubjectPublicKeyInfo DER
	status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'revoked')),
	added_by bigint REFERENCES submissions,     -- NULL: registered by the operator
	revoked_by bigint REFERENCES submissions,
	created_at timestamptz NOT NULL DEFAULT now(),
	revoked_at timestamptz
);
CREATE INDEX keys_org ON keys (org);

CREATE TABLE models (
	org text NOT NULL REFERENCES orgs,
	model text NOT NULL CHECK (model ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
	head_version integer NOT NULL DEFAULT 0,
	head_payload_sha256 bytea,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (org, model)
);

-- One row per accepted disclosure: version n of a model.
CREATE TABLE versions (
	org text NOT NULL,
	model text NOT NULL,
	version integer NOT NULL CHECK (version >= 1),
	submission_id bigint NOT NULL UNIQUE REFERENCES submissions,
	payload_sha256 bytea NOT NULL,              -- unique through submissions
	supersedes bytea,
	model_version text,                         -- the developer's own label
	release_date date,
	scores jsonb NOT NULL DEFAULT '{}',
	score_total integer,                        -- modelfacts-v1 indicators met
	score_max integer,
	created_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (org, model, version),
	FOREIGN KEY (org, model) REFERENCES models
);
ALTER TABLE versions ALTER COLUMN scores SET COMPRESSION lz4;

CREATE TABLE evals (
	submission_id bigint PRIMARY KEY REFERENCES submissions,
	org text NOT NULL,
	model text NOT NULL,
	version integer,                            -- disclosure version concerned
	evaluator text NOT NULL REFERENCES orgs,
	assurance text NOT NULL CHECK (assurance IN ('self_reported', 'third_party')),
	benchmark text NOT NULL,
	metric text NOT NULL,
	value double precision NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now(),
	FOREIGN KEY (org, model) REFERENCES models
);
CREATE INDEX evals_model ON evals (org, model);

CREATE TABLE indices (
	index_id text PRIMARY KEY,
	name text NOT NULL,
	document jsonb NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE assessments (
	submission_id bigint PRIMARY KEY REFERENCES submissions,
	org text NOT NULL,
	model text NOT NULL,
	version integer,
	assessor text NOT NULL REFERENCES orgs,
	index_id text NOT NULL,
	scores jsonb NOT NULL,
	total integer NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now(),
	FOREIGN KEY (org, model) REFERENCES models
);
CREATE INDEX assessments_model ON assessments (org, model);

-- The Merkle tree: hashes of complete subtrees. (level, idx) covers leaves
-- [idx * 2^level, (idx + 1) * 2^level); level 0 holds the leaf hashes.
CREATE TABLE log_nodes (
	level smallint NOT NULL,
	idx bigint NOT NULL,
	hash bytea NOT NULL,
	PRIMARY KEY (level, idx)
);

CREATE TABLE checkpoints (
	tree_size bigint PRIMARY KEY,
	root_hash bytea NOT NULL,
	note text NOT NULL,                         -- the signed note, as served
	created_at timestamptz NOT NULL DEFAULT now()
);

-- Git publication: one commit per log entry, in log order.
CREATE TABLE publications (
	log_index bigint PRIMARY KEY REFERENCES submissions (log_index),
	commit_id text NOT NULL,
	published_at timestamptz NOT NULL DEFAULT now()
);
