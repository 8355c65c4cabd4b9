-- Search and filters over GET /v1/models (issue 11). A disclosure is a
-- large text; filtering 10,000 models by parsing each current payload on
-- every request would cost seconds. version_facts holds, per accepted
-- version, the few facts the list filters and sorts on, and a tsvector
-- for free text, written once by triggers when the version is accepted
-- and when the log sequences it. The log positions make the table
-- temporal: a version is current at position P when it was sequenced by
-- P and not yet superseded by a version sequenced by P, so as_of (and a
-- cursor that pins the position of its first page) is a plain filter.

-- A field of the disclosure schema is either its value or a wrapper
-- {"status", "value"?, ...}: the value when disclosed, else NULL.
CREATE FUNCTION mf_disclosed(j jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT CASE WHEN jsonb_typeof(j) = 'object' AND j ? 'status'
		THEN CASE WHEN j ->> 'status' = 'disclosed' THEN j -> 'value' END
		ELSE j END
$$;

-- Words of a URL for the search document: documentation is a list of
-- URLs (".../atlas-pro-system-card.pdf" reads as "atlas pro system card").
CREATE FUNCTION mf_url_words(u text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT regexp_replace(regexp_replace(u, '^[A-Za-z]+://', ''),
		'[^[:alnum:]]+', ' ', 'g')
$$;

CREATE TABLE version_facts (
	org text NOT NULL,
	model text NOT NULL,
	version integer NOT NULL,
	submission_id bigint NOT NULL UNIQUE REFERENCES submissions,
	log_index bigint,            -- the version's position, once sequenced
	superseded_at bigint,        -- the next version's, once sequenced
	accepted_at timestamptz NOT NULL,
	name text,                   -- identity.name
	developer text,              -- identity.developer
	access text,                 -- distribution.access
	license text,                -- distribution.license: spdx, else name
	input_modalities text[] NOT NULL DEFAULT '{}',
	output_modalities text[] NOT NULL DEFAULT '{}',
	parameters double precision, -- model.parameters.amount
	release_date date,
	-- names and slugs (A), developer and organisation names (B),
	-- documentation URLs' words (C), description (D); 'simple' keeps
	-- names as written (no stemming of "Granite" or "o3")
	search tsvector NOT NULL,
	PRIMARY KEY (org, model, version),
	FOREIGN KEY (org, model, version) REFERENCES versions
);
-- Measured on this machine (PostgreSQL 15) with a synthetic table of the
-- same shape, 50,000 versions (10,000 models x 5) whose vectors carry a
-- name, developer and 20-word description, `search @@ 'gran:*'` plus the
-- current-at filter, EXPLAIN ANALYZE: without the index a Seq Scan, rows
-- removed by filter 45,000, 22.3 ms; with it a Bitmap Index Scan on the
-- GIN index (1.5 ms) and a Bitmap Heap Scan, 4.6 ms in all. GIN answers
-- prefix queries from its sorted entry tree. (The full list query over
-- seeded disclosures is bench/query's to measure.)
CREATE INDEX version_facts_search ON version_facts USING gin (search);
-- The versions current now, the common case of every list.
CREATE INDEX version_facts_current ON version_facts (org, model)
	WHERE superseded_at IS NULL;

-- The assessor's own name for the model (the only name an
-- assessment-only model has), kept out of the payload text.
ALTER TABLE assessments ADD COLUMN model_name text;

CREATE FUNCTION mf_version_facts_row(p_org text, p_model text,
	p_version integer, p_submission_id bigint)
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	p jsonb;
	v_accepted timestamptz;
	v_log bigint;
	v_docs text;
	v_orgname text;
	v_release date;
BEGIN
	SELECT s.payload::jsonb, s.accepted_at, s.log_index
	  INTO p, v_accepted, v_log
	  FROM submissions s WHERE s.id = p_submission_id;
	SELECT o.name INTO v_orgname FROM orgs o WHERE o.org = p_org;
	SELECT string_agg(mf_url_words(u), ' ') INTO v_docs
	  FROM jsonb_array_elements_text(CASE WHEN jsonb_typeof(
		mf_disclosed(p -> 'identity' -> 'documentation')) = 'array'
		THEN mf_disclosed(p -> 'identity' -> 'documentation')
		ELSE '[]' END) u;
	SELECT v.release_date INTO v_release FROM versions v
	 WHERE v.org = p_org AND v.model = p_model AND v.version = p_version;
	INSERT INTO version_facts (org, model, version, submission_id,
		log_index, accepted_at, name, developer, access, license,
		input_modalities, output_modalities, parameters, release_date,
		search)
	SELECT p_org, p_model, p_version, p_submission_id, v_log, v_accepted,
		x.name, x.developer, x.access, x.license,
		coalesce(ARRAY(SELECT jsonb_array_elements_text(CASE WHEN
			jsonb_typeof(x.modalities -> 'input') = 'array' THEN
			x.modalities -> 'input' ELSE '[]' END)), '{}'),
		coalesce(ARRAY(SELECT jsonb_array_elements_text(CASE WHEN
			jsonb_typeof(x.modalities -> 'output') = 'array' THEN
			x.modalities -> 'output' ELSE '[]' END)), '{}'),
		x.parameters, v_release,
		setweight(to_tsvector('simple', coalesce(x.name, '') || ' ' ||
			p_model || ' ' || replace(p_model, '-', ' ')), 'A') ||
		setweight(to_tsvector('simple', coalesce(x.developer, '') ||
			' ' || coalesce(v_orgname, '') || ' ' || p_org), 'B') ||
		setweight(to_tsvector('simple', coalesce(v_docs, '')), 'C') ||
		setweight(to_tsvector('simple', coalesce(x.description, '')),
			'D')
	FROM (SELECT
		mf_disclosed(p -> 'identity' -> 'name') #>> '{}' AS name,
		mf_disclosed(p -> 'identity' -> 'developer') #>> '{}' AS developer,
		left(mf_disclosed(p -> 'identity' -> 'description') #>> '{}',
			20000) AS description,
		mf_disclosed(p -> 'distribution' -> 'access') #>> '{}' AS access,
		coalesce(mf_disclosed(p -> 'distribution' -> 'license') ->> 'spdx',
			mf_disclosed(p -> 'distribution' -> 'license') ->> 'name')
			AS license,
		mf_disclosed(p -> 'model' -> 'modalities') AS modalities,
		CASE WHEN jsonb_typeof(mf_disclosed(p -> 'model' -> 'parameters')
			-> 'amount') = 'number' THEN (mf_disclosed(p -> 'model'
			-> 'parameters') ->> 'amount')::float8 END AS parameters) x;
END;
$$;

-- A new version: its facts (the payload is validated JSON).
CREATE FUNCTION mf_version_facts_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM mf_version_facts_row(NEW.org, NEW.model, NEW.version,
		NEW.submission_id);
	RETURN NULL;
END;
$$;
CREATE TRIGGER versions_facts AFTER INSERT ON versions
	FOR EACH ROW EXECUTE FUNCTION mf_version_facts_insert();

-- The sequencer gave a disclosure its position: the version is current
-- from there, and its predecessor is superseded there.
CREATE FUNCTION mf_version_facts_sequenced() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	v_org text;
	v_model text;
	v_version integer;
BEGIN
	UPDATE version_facts SET log_index = NEW.log_index
	 WHERE submission_id = NEW.id
	RETURNING org, model, version INTO v_org, v_model, v_version;
	IF FOUND THEN
		UPDATE version_facts SET superseded_at = NEW.log_index
		 WHERE org = v_org AND model = v_model
		   AND version = v_version - 1;
	END IF;
	RETURN NULL;
END;
$$;
CREATE TRIGGER submissions_facts_sequenced AFTER UPDATE OF log_index
	ON submissions FOR EACH ROW
	WHEN (NEW.kind = 'disclosure' AND OLD.log_index IS NULL
	      AND NEW.log_index IS NOT NULL)
	EXECUTE FUNCTION mf_version_facts_sequenced();

-- An assessment's model_name, from its payload.
CREATE FUNCTION mf_assessment_model_name() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	SELECT s.payload::jsonb ->> 'model_name' INTO NEW.model_name
	  FROM submissions s WHERE s.id = NEW.submission_id;
	RETURN NEW;
END;
$$;
CREATE TRIGGER assessments_model_name BEFORE INSERT ON assessments
	FOR EACH ROW EXECUTE FUNCTION mf_assessment_model_name();

-- One judgement of a model version (version 0: an assessment-only
-- model) against an index as of log position p_at (DESIGN.md section
-- 2): p_judge 'auto' the automatic check (which judges modelfacts-v1
-- only), an assessor org its latest assessment, NULL the default: the
-- latest assessor grade where one exists, else the automatic check.
-- Assessments concern the version they are pinned to, or the model as a
-- whole. results: the automatic check's result per indicator, or the
-- assessor's grades (0/1) per indicator. Written as one SELECT so that
-- the planner inlines it into the list query.
CREATE FUNCTION mf_judgement(p_org text, p_model text, p_version integer,
	p_index text, p_judge text, p_at bigint)
RETURNS TABLE (judge text, score integer, max integer, results jsonb,
	auto boolean)
LANGUAGE sql STABLE AS $$
	SELECT x.judge, x.score, x.max, x.results, x.auto FROM (
		SELECT a.assessor, a.total, (SELECT count(*)::integer
			FROM jsonb_object_keys(a.scores)), a.scores, false, 1,
			s.log_index
		  FROM assessments a JOIN submissions s
		    ON s.id = a.submission_id
		 WHERE a.org = p_org AND a.model = p_model
		   AND a.index_id = p_index
		   AND (a.version IS NULL OR a.version = p_version)
		   AND s.log_index <= p_at
		   AND (p_judge IS NULL OR a.assessor = p_judge)
		   AND p_judge IS DISTINCT FROM 'auto'
		UNION ALL
		SELECT 'auto', v.score_total, v.score_max,
			v.scores -> 'results', true, 2, 0
		  FROM versions v
		 WHERE v.org = p_org AND v.model = p_model
		   AND v.version = p_version AND p_index = 'modelfacts-v1'
		   AND (p_judge IS NULL OR p_judge = 'auto')
	) x (judge, score, max, results, auto, pref, li)
	ORDER BY x.pref, x.li DESC LIMIT 1
$$;

-- An indicator's result for a model version as of p_at: met, not_met,
-- not_applicable or unassessed. p_judge as in mf_judgement, but the
-- default is per indicator: the latest assessor grade of this indicator
-- where one exists, else the automatic check's result.
CREATE FUNCTION mf_indicator_status(p_org text, p_model text,
	p_version integer, p_index text, p_indicator text, p_judge text,
	p_at bigint)
RETURNS text
LANGUAGE sql STABLE AS $$
	SELECT coalesce(
		(SELECT CASE a.scores ->> p_indicator WHEN '1' THEN 'met'
			WHEN '0' THEN 'not_met' END
		   FROM assessments a JOIN submissions s
		     ON s.id = a.submission_id
		  WHERE a.org = p_org AND a.model = p_model
		    AND a.index_id = p_index
		    AND (a.version IS NULL OR a.version = p_version)
		    AND s.log_index <= p_at
		    AND ((p_judge IS NULL AND a.scores ? p_indicator)
		         OR a.assessor = p_judge)
		    AND p_judge IS DISTINCT FROM 'auto'
		  ORDER BY s.log_index DESC LIMIT 1),
		(SELECT v.scores -> 'results' ->> p_indicator FROM versions v
		  WHERE v.org = p_org AND v.model = p_model
		    AND v.version = p_version AND p_index = 'modelfacts-v1'
		    AND (p_judge IS NULL OR p_judge = 'auto')),
		'unassessed')
$$;

-- What the registry already holds.
SELECT mf_version_facts_row(v.org, v.model, v.version, v.submission_id)
  FROM versions v ORDER BY v.org, v.model, v.version;
UPDATE version_facts f SET superseded_at = n.log_index
  FROM version_facts n
 WHERE n.org = f.org AND n.model = f.model AND n.version = f.version + 1
   AND n.log_index IS NOT NULL;
UPDATE assessments a SET model_name = s.payload::jsonb ->> 'model_name'
  FROM submissions s WHERE s.id = a.submission_id;
