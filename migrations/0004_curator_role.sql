-- Curators (DESIGN.md section 2, "Transcribed documents"): an organisation
-- that imports public data written by others (the FMTI reports and scores)
-- signs the documents it transcribes, never with keys standing in for the
-- developers or assessors the data names. Additive: existing rows keep
-- their roles.
ALTER TABLE orgs DROP CONSTRAINT orgs_role_check;
ALTER TABLE orgs ADD CONSTRAINT orgs_role_check
	CHECK (role IN ('developer', 'evaluator', 'assessor', 'curator'));
