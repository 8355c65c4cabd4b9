-- The sequencer's batch update, planned afresh on every call. As a plain
-- prepared statement its plan was cached after a few executions, and a
-- plan made while submissions was small (a sequential scan joined by
-- hashing) stayed in use as the table grew: O(n) per batch.
-- force_custom_plan plans it with the batch's own arrays, so the join
-- probes the primary key once per entry.
CREATE FUNCTION mf_log_assign(p_ids bigint[], p_indices bigint[],
	p_leaves text[])
RETURNS void
LANGUAGE plpgsql
SET plan_cache_mode = force_custom_plan
AS $$
BEGIN
	UPDATE submissions s SET log_index = x.idx, leaf = x.leaf
	  FROM unnest(p_ids, p_indices, p_leaves) AS x(id, idx, leaf)
	 WHERE s.id = x.id;
END;
$$;
