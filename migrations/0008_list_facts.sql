-- The facts every cross-model read filters, sorts and counts on, kept
-- narrow and temporal, written from the log in log order, behind it
-- (never on the submission path: facts_progress below). 0006's version_facts held the facts beside a
-- tsvector in one wide row and left each judgement to be worked out per
-- model and request (mf_judgement, mf_indicator_status): bench/query
-- measured 0.3 to 1.1 s per list page over 10,000 models x 5 versions and
-- 12.6 s for an index's coverage. Here:
--   list_facts       one row per model version (version 0: a model only
--                    assessed), current over log positions [from_at, to_at);
--   list_search      its tsvector, apart, so a scan of list_facts stays
--                    narrow (10,000 current rows: 68 MB of version_facts
--                    against 11 MB; a full scan 17.4 ms against 4.5 ms);
--   judgement_facts  per version, index and judge ('*': DESIGN.md
--                    section 2's default, `judged_by` naming who it was), the
--                    score and the indicators met / not met / not
--                    applicable, over [from_at, to_at) too;
--   indicator_codes  small integers for indicator ids, so the status sets
--                    are int2 arrays: counting 10,000 versions x 98
--                    indicators took 157 ms over text arrays, 86 ms over
--                    int2 arrays (EXPLAIN ANALYZE, this machine).
-- A row is current at position P when from_at <= P and (to_at IS NULL or
-- to_at > P), so as_of and a cursor's pinned position are plain filters.

DROP TRIGGER versions_facts ON versions;
DROP TRIGGER submissions_facts_sequenced ON submissions;
DROP FUNCTION mf_version_facts_insert();
DROP FUNCTION mf_version_facts_sequenced();
DROP FUNCTION mf_version_facts_row(text, text, integer, bigint);
DROP TABLE version_facts;
-- each indicator's default status, worked out per request: the default
-- is now one judge's judgement whole, kept in judgement_facts
DROP FUNCTION mf_indicator_status(text, text, integer, text, text, text,
	bigint);

CREATE TABLE list_facts (
	id bigserial PRIMARY KEY,
	org text NOT NULL,
	model text NOT NULL,
	version integer NOT NULL,    -- 0: a model only assessed
	from_at bigint NOT NULL,
	to_at bigint,
	name text,                   -- identity.name (an assessor's name)
	developer text,              -- identity.developer (the org's name)
	access text,                 -- distribution.access
	license text,                -- distribution.license: spdx, else name
	input_modalities text[] NOT NULL DEFAULT '{}',
	output_modalities text[] NOT NULL DEFAULT '{}',
	parameters double precision, -- model.parameters.amount
	release_date date,
	model_version text,
	score_total integer,
	score_max integer,
	updated_at timestamptz NOT NULL
);
CREATE INDEX list_facts_model ON list_facts (org, model, version);
CREATE INDEX list_facts_current ON list_facts (org COLLATE "C",
	model COLLATE "C") WHERE to_at IS NULL;
CREATE INDEX list_facts_to ON list_facts (to_at);

-- names and slugs (A), developer and organisation names (B),
-- documentation URLs' words (C), description (D); 'simple' keeps names as
-- written (no stemming of "Granite" or "o3"). GIN answers prefix queries
-- (gran:*) from its sorted entry tree: 0006 measured a Bitmap Index Scan
-- of 1.5 ms against a Seq Scan of 22.3 ms over 50,000 vectors.
CREATE TABLE list_search (
	id bigint PRIMARY KEY REFERENCES list_facts,
	search tsvector NOT NULL
);
CREATE INDEX list_search_gin ON list_search USING gin (search);

CREATE TABLE indicator_codes (
	index_id text NOT NULL,
	indicator text NOT NULL,
	code smallint NOT NULL,
	PRIMARY KEY (index_id, indicator),
	UNIQUE (index_id, code)
);

CREATE TABLE judgement_facts (
	org text NOT NULL,
	model text NOT NULL,
	version integer NOT NULL,
	index_id text NOT NULL,
	judge text NOT NULL,         -- 'auto', an assessor org, or '*'
	judged_by text NOT NULL,     -- who judged ('*': the judge shown)
	score integer,
	max integer,
	met smallint[] NOT NULL,     -- indicator_codes
	not_met smallint[] NOT NULL,
	not_applicable smallint[] NOT NULL,
	from_at bigint NOT NULL,
	to_at bigint,
	PRIMARY KEY (org, model, version, index_id, judge, from_at)
) WITH (toast_tuple_target = 256);
CREATE INDEX judgement_facts_current ON judgement_facts (index_id, judge)
	WHERE to_at IS NULL;
-- A score filter or sort joins every listed model to its judgement: from
-- this index alone (index-only), not from the wide rows.
CREATE INDEX judgement_facts_score ON judgement_facts (index_id, judge, org,
	model, version) INCLUDE (from_at, to_at, score, max, judged_by);
CREATE INDEX judgement_facts_to ON judgement_facts (to_at);

-- Codes for indicator ids, assigned on first sight (by one writer at a
-- time: mf_facts_catch_up holds its lock).
CREATE FUNCTION mf_indicator_codes(p_index text, p_ids text[])
RETURNS void
LANGUAGE sql AS $$
	INSERT INTO indicator_codes (index_id, indicator, code)
	SELECT p_index, n.id, (SELECT coalesce(max(c.code), 0)
		FROM indicator_codes c WHERE c.index_id = p_index)
		+ row_number() OVER (ORDER BY n.id)
	  FROM (SELECT DISTINCT u AS id FROM unnest(p_ids) u
		 WHERE NOT EXISTS (SELECT 1 FROM indicator_codes c
			WHERE c.index_id = p_index AND c.indicator = u)) n;
$$;

-- Every judge's judgement of one version against one index as of p_at,
-- by the rules of mf_judgement (0006; judge '*' the default, DESIGN.md
-- section 2: the latest assessor's where one exists, else the automatic
-- check): a row that changed is closed at p_at and its successor opened
-- there.
CREATE FUNCTION mf_judgement_refresh(p_org text, p_model text,
	p_version integer, p_index text, p_at bigint)
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	r record;
	st jsonb;
	v_met smallint[];
	v_not smallint[];
	v_na smallint[];
BEGIN
	FOR r IN
		SELECT j.judge, jd.judge AS judged_by, jd.score, jd.max, jd.results,
			jd.auto
		  FROM (SELECT DISTINCT a.assessor AS judge
			  FROM assessments a JOIN submissions s
			    ON s.id = a.submission_id
			 WHERE a.org = p_org AND a.model = p_model
			   AND a.index_id = p_index
			   AND (a.version IS NULL OR a.version = p_version)
			   AND s.log_index <= p_at
			UNION ALL SELECT 'auto' WHERE p_index = 'modelfacts-v1'
			   AND p_version > 0
			UNION ALL SELECT '*') j,
		LATERAL mf_judgement(p_org, p_model, p_version, p_index,
			nullif(j.judge, '*'), p_at) jd
		 ORDER BY j.judge = '*' -- the default last: it copies one
	LOOP
		IF r.judge = '*' THEN
			-- the default shows one judge's judgement whole (as
			-- labels and coverage do), written just before
			SELECT f.met, f.not_met, f.not_applicable
			  INTO v_met, v_not, v_na FROM judgement_facts f
			 WHERE f.org = p_org AND f.model = p_model
			   AND f.version = p_version AND f.index_id = p_index
			   AND f.judge = r.judged_by AND f.to_at IS NULL;
		ELSE
			-- the automatic check's results, an assessor's grades
			IF r.auto THEN
				st := coalesce(r.results, '{}');
			ELSE
				SELECT coalesce(jsonb_object_agg(k, CASE v
					WHEN '1' THEN 'met' WHEN '0' THEN 'not_met'
					END), '{}')
				  INTO st FROM jsonb_each_text(r.results) e(k, v);
			END IF;
			PERFORM mf_indicator_codes(p_index,
				ARRAY(SELECT jsonb_object_keys(st)));
			SELECT coalesce(array_agg(c.code ORDER BY c.code)
					FILTER (WHERE e.v = 'met'), '{}'),
				coalesce(array_agg(c.code ORDER BY c.code)
					FILTER (WHERE e.v = 'not_met'), '{}'),
				coalesce(array_agg(c.code ORDER BY c.code)
					FILTER (WHERE e.v = 'not_applicable'), '{}')
			  INTO v_met, v_not, v_na
			  FROM jsonb_each_text(st) e(k, v)
			  JOIN indicator_codes c ON c.index_id = p_index
			   AND c.indicator = e.k;
		END IF;
		CONTINUE WHEN EXISTS (SELECT 1 FROM judgement_facts f
			WHERE f.org = p_org AND f.model = p_model
			  AND f.version = p_version AND f.index_id = p_index
			  AND f.judge = r.judge AND f.to_at IS NULL
			  AND f.judged_by = r.judged_by
			  AND f.score IS NOT DISTINCT FROM r.score
			  AND f.max IS NOT DISTINCT FROM r.max
			  AND f.met = v_met AND f.not_met = v_not
			  AND f.not_applicable = v_na);
		UPDATE judgement_facts f SET to_at = p_at
		 WHERE f.org = p_org AND f.model = p_model
		   AND f.version = p_version AND f.index_id = p_index
		   AND f.judge = r.judge AND f.to_at IS NULL;
		INSERT INTO judgement_facts (org, model, version, index_id,
			judge, judged_by, score, max, met, not_met, not_applicable,
			from_at)
		VALUES (p_org, p_model, p_version, p_index, r.judge, r.judged_by,
			r.score, r.max, v_met, v_not, v_na, p_at);
	END LOOP;
END;
$$;

-- A disclosure sequenced at p_at: its version becomes the model's
-- current one (closing the previous, or the assessed-only row), with its
-- facts, words and judgements.
CREATE FUNCTION mf_list_facts_disclosure(p_submission bigint, p_at bigint)
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	p jsonb;
	v record;
	v_id bigint;
	v_docs text;
	v_orgname text;
	v_index text;
BEGIN
	SELECT vv.org, vv.model, vv.version, vv.release_date, vv.model_version,
		vv.score_total, vv.score_max, s.accepted_at
	  INTO v FROM versions vv JOIN submissions s ON s.id = vv.submission_id
	 WHERE vv.submission_id = p_submission;
	IF NOT FOUND THEN
		RETURN;
	END IF;
	SELECT s.payload::jsonb INTO p FROM submissions s
	 WHERE s.id = p_submission;
	SELECT o.name INTO v_orgname FROM orgs o WHERE o.org = v.org;
	SELECT string_agg(mf_url_words(u), ' ') INTO v_docs
	  FROM jsonb_array_elements_text(CASE WHEN jsonb_typeof(
		mf_disclosed(p -> 'identity' -> 'documentation')) = 'array'
		THEN mf_disclosed(p -> 'identity' -> 'documentation')
		ELSE '[]' END) u;
	UPDATE list_facts SET to_at = p_at
	 WHERE org = v.org AND model = v.model AND to_at IS NULL;
	-- the judgements of the versions it supersedes leave the lists too
	UPDATE judgement_facts SET to_at = p_at
	 WHERE org = v.org AND model = v.model AND version <> v.version
	   AND to_at IS NULL;
	INSERT INTO list_facts (org, model, version, from_at, name, developer,
		access, license, input_modalities, output_modalities,
		parameters, release_date, model_version, score_total,
		score_max, updated_at)
	SELECT v.org, v.model, v.version, p_at, x.name, x.developer, x.access,
		x.license,
		coalesce(ARRAY(SELECT jsonb_array_elements_text(CASE WHEN
			jsonb_typeof(x.modalities -> 'input') = 'array' THEN
			x.modalities -> 'input' ELSE '[]' END)), '{}'),
		coalesce(ARRAY(SELECT jsonb_array_elements_text(CASE WHEN
			jsonb_typeof(x.modalities -> 'output') = 'array' THEN
			x.modalities -> 'output' ELSE '[]' END)), '{}'),
		x.parameters, v.release_date, v.model_version, v.score_total,
		v.score_max, v.accepted_at
	FROM (SELECT
		mf_disclosed(p -> 'identity' -> 'name') #>> '{}' AS name,
		mf_disclosed(p -> 'identity' -> 'developer') #>> '{}' AS developer,
		mf_disclosed(p -> 'distribution' -> 'access') #>> '{}' AS access,
		coalesce(mf_disclosed(p -> 'distribution' -> 'license') ->> 'spdx',
			mf_disclosed(p -> 'distribution' -> 'license') ->> 'name')
			AS license,
		mf_disclosed(p -> 'model' -> 'modalities') AS modalities,
		CASE WHEN jsonb_typeof(mf_disclosed(p -> 'model' -> 'parameters')
			-> 'amount') = 'number' THEN (mf_disclosed(p -> 'model'
			-> 'parameters') ->> 'amount')::float8 END AS parameters) x
	RETURNING id INTO v_id;
	INSERT INTO list_search (id, search)
	SELECT v_id,
		setweight(to_tsvector('simple', coalesce(f.name, '') || ' ' ||
			v.model || ' ' || replace(v.model, '-', ' ')), 'A') ||
		setweight(to_tsvector('simple', coalesce(f.developer, '') ||
			' ' || coalesce(v_orgname, '') || ' ' || v.org), 'B') ||
		setweight(to_tsvector('simple', coalesce(v_docs, '')), 'C') ||
		setweight(to_tsvector('simple', coalesce(left(mf_disclosed(
			p -> 'identity' -> 'description') #>> '{}', 20000),
			'')), 'D')
	  FROM list_facts f WHERE f.id = v_id;
	-- the automatic check, and every index assessors graded the model on
	FOR v_index IN
		SELECT 'modelfacts-v1'
		UNION SELECT DISTINCT a.index_id FROM assessments a
		  JOIN submissions s ON s.id = a.submission_id
		 WHERE a.org = v.org AND a.model = v.model
		   AND (a.version IS NULL OR a.version = v.version)
		   AND s.log_index <= p_at
	LOOP
		PERFORM mf_judgement_refresh(v.org, v.model, v.version, v_index,
			p_at);
	END LOOP;
END;
$$;

-- An assessment sequenced at p_at: the version it grades (pinned, else
-- the model's current one) is judged again; a model without a sequenced
-- version is listed by the assessor's name for it (version 0).
CREATE FUNCTION mf_list_facts_assessment(p_submission bigint, p_at bigint)
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	a record;
	v_version integer;
	v_id bigint;
BEGIN
	SELECT x.org, x.model, x.version, x.index_id, x.model_name,
		s.accepted_at, o.name AS orgname
	  INTO a FROM assessments x JOIN submissions s ON s.id = x.submission_id
	  LEFT JOIN orgs o ON o.org = x.org
	 WHERE x.submission_id = p_submission;
	IF NOT FOUND THEN
		RETURN;
	END IF;
	SELECT f.version INTO v_version FROM list_facts f
	 WHERE f.org = a.org AND f.model = a.model AND f.to_at IS NULL;
	IF v_version IS NULL OR v_version = 0 THEN
		UPDATE list_facts SET to_at = p_at
		 WHERE org = a.org AND model = a.model AND to_at IS NULL;
		INSERT INTO list_facts (org, model, version, from_at, name,
			developer, updated_at)
		VALUES (a.org, a.model, 0, p_at, a.model_name, a.orgname,
			a.accepted_at)
		RETURNING id INTO v_id;
		INSERT INTO list_search (id, search)
		VALUES (v_id, setweight(to_tsvector('simple',
			coalesce(a.model_name, '') || ' ' || a.model || ' ' ||
			replace(a.model, '-', ' ')), 'A') ||
			setweight(to_tsvector('simple', coalesce(a.orgname, '')
			|| ' ' || a.org), 'B'));
		v_version := 0;
	END IF;
	PERFORM mf_judgement_refresh(a.org, a.model,
		coalesce(a.version, v_version), a.index_id, p_at);
END;
$$;

-- How far the facts follow the log: every entry up to `through` is in
-- them. They are written behind the log, never on the submission path
-- (a trigger on sequencing cut ingest to a third: BENCHMARKS.md), by the
-- git publisher's thread as it wakes, and by any read that needs a
-- position they have not reached yet (mf_facts_catch_up), so a list read
-- right after a 201 shows the submission.
CREATE TABLE facts_progress (
	one boolean PRIMARY KEY DEFAULT true CHECK (one),
	through bigint NOT NULL
);

-- Brings the facts up to log position p_upto (NULL: the newest), at
-- most p_max entries a call, one writer at a time; returns the position
-- they reach.
CREATE FUNCTION mf_facts_catch_up(p_upto bigint, p_max integer)
RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	s record;
	v_through bigint;
	n integer := 0;
BEGIN
	SELECT through INTO v_through FROM facts_progress;
	IF p_upto IS NOT NULL AND v_through >= p_upto THEN
		RETURN v_through;
	END IF;
	PERFORM pg_advisory_xact_lock(7316459102837461004); -- its own key
	SELECT through INTO v_through FROM facts_progress;
	FOR s IN SELECT x.id, x.kind, x.log_index FROM submissions x
		  WHERE x.log_index > v_through
		    AND (p_upto IS NULL OR x.log_index <= p_upto)
		  ORDER BY x.log_index LIMIT p_max
	LOOP
		EXIT WHEN s.log_index <> v_through + 1; -- in order, no gaps
		IF s.kind = 'disclosure' THEN
			PERFORM mf_list_facts_disclosure(s.id, s.log_index);
		ELSIF s.kind = 'assessment' THEN
			PERFORM mf_list_facts_assessment(s.id, s.log_index);
		END IF;
		v_through := s.log_index;
		n := n + 1;
		-- statistics renewed as a long catch-up grows the tables, or
		-- the plans made over empty tables scan them whole
		-- (bench/query's 55,000 entries: 2.4 ms an entry and growing
		-- without, 1.2 ms with)
		IF n % 5000 = 0 THEN
			ANALYZE list_facts;
			ANALYZE judgement_facts;
		END IF;
	END LOOP;
	UPDATE facts_progress SET through = v_through;
	RETURN v_through;
END;
$$;

-- What the registry already holds.
INSERT INTO facts_progress (through) VALUES (-1);
SELECT mf_facts_catch_up(NULL, 2147483647);
ANALYZE list_facts;
ANALYZE list_search;
ANALYZE judgement_facts;
