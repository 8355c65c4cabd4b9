-- Several server processes on one database (issue 16): which one sequences
-- the log and which one publishes to git is decided by a lease per role,
-- not by a session-bound advisory lock. A lease names its holder (a node
-- id, kept in the node's state directory), a fencing token that grows on
-- every acquisition, and when it expires (the database's clock, so the
-- nodes' clocks do not matter). Every write of a role's work runs in a
-- transaction that first calls mf_lease_fence with its token: the call
-- holds the lease row FOR SHARE until commit, so nobody can take the
-- lease over in the middle of the transaction, and a holder that was
-- paused past its expiry and taken over finds another token there and
-- fails (MFL01) before it writes anything.

CREATE TABLE leader_lease (
	role text PRIMARY KEY CHECK (role IN ('sequencer', 'publisher')),
	holder text NOT NULL,
	token bigint NOT NULL,
	expires_at timestamptz NOT NULL
);

INSERT INTO leader_lease (role, holder, token, expires_at)
VALUES ('sequencer', '', 0, '-infinity'), ('publisher', '', 0, '-infinity');

-- Takes the lease when it has expired and no transaction of the holder is
-- in flight (its row lock is skipped, not waited for); with p_reclaim
-- (a node's first attempt after it started) also when p_holder holds it:
-- the node's previous run, killed, whose writes the new token fences.
-- Returns the new token, or NULL when the lease is held.
CREATE FUNCTION mf_lease_acquire(p_role text, p_holder text, p_ms int,
	p_reclaim boolean)
RETURNS bigint
LANGUAGE plpgsql
AS $$
DECLARE
	t bigint;
BEGIN
	PERFORM 1 FROM leader_lease
	  WHERE role = p_role
	    AND (expires_at < clock_timestamp()
	         OR (p_reclaim AND holder = p_holder))
	  FOR UPDATE SKIP LOCKED;
	IF NOT FOUND THEN
		RETURN NULL;
	END IF;
	UPDATE leader_lease
	   SET holder = p_holder, token = token + 1,
	       expires_at = clock_timestamp() + p_ms * interval '1 millisecond'
	 WHERE role = p_role
	RETURNING token INTO t;
	RETURN t;
END;
$$;

-- Extends an unexpired lease of token p_token; false when it has expired
-- or another holder has it (the caller steps down).
CREATE FUNCTION mf_lease_renew(p_role text, p_token bigint, p_ms int)
RETURNS boolean
LANGUAGE plpgsql
AS $$
BEGIN
	UPDATE leader_lease
	   SET expires_at = clock_timestamp() + p_ms * interval '1 millisecond'
	 WHERE role = p_role AND token = p_token
	   AND expires_at > clock_timestamp();
	RETURN FOUND;
END;
$$;

-- Lets the lease go at once (a clean stop), so another node takes over
-- without waiting for the expiry.
CREATE FUNCTION mf_lease_release(p_role text, p_token bigint)
RETURNS void
LANGUAGE sql
AS $$
	UPDATE leader_lease SET expires_at = '-infinity'
	 WHERE role = p_role AND token = p_token;
$$;

-- The fence: call first in every transaction that writes a role's work.
-- Raises MFL01 unless p_token holds the unexpired lease; otherwise keeps
-- the row locked until the transaction ends.
CREATE FUNCTION mf_lease_fence(p_role text, p_token bigint)
RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
	PERFORM 1 FROM leader_lease
	  WHERE role = p_role AND token = p_token
	    AND expires_at > clock_timestamp()
	  FOR SHARE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'the % lease is not held by token %',
			p_role, p_token USING ERRCODE = 'MFL01';
	END IF;
END;
$$;
