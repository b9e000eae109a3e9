-- 0002_authz_epoch: a counter that every change to the projects or their
-- members raises, in the changing transaction.
--
-- Each token worker remembers the facts of the projects it has been asked
-- about (whether each exists, is public, the caller's role), tagged with
-- the epoch they were read at.  Every token request reads the current
-- epoch in the same statement as the caller's row; a different epoch
-- than the remembered one drops everything remembered.  A change commits
-- with its new epoch, so the first request on any node that starts after
-- the commit sees it: a removed member loses access on the next request,
-- as when the facts were read every time.  A row, not a sequence: a
-- sequence moves before its transaction commits, and a request between
-- the two would remember old facts under the new number.  Each change
-- adds a random step (up to 2^32, room for 2^31 changes): after a
-- failover to a standby that had not received the last changes, the new
-- primary's next epochs do not repeat the numbers a worker may remember
-- from the old one.
CREATE TABLE authz_epoch (
	one		boolean PRIMARY KEY DEFAULT true CHECK (one),
	epoch		bigint NOT NULL
);
INSERT INTO authz_epoch (one, epoch) VALUES (true, 1);

-- Per statement, not per row: a bulk change costs one update.  Changes
-- made by hand in SQL, by cascades (a deleted user's or project's
-- memberships) and by TRUNCATE count too.
CREATE FUNCTION authz_epoch_bump() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	UPDATE authz_epoch
	    SET epoch = epoch + 1 + floor(random() * 4294967296)::bigint;
	RETURN NULL;
END
$$;

CREATE TRIGGER projects_authz_epoch
	AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON projects
	FOR EACH STATEMENT EXECUTE FUNCTION authz_epoch_bump();
CREATE TRIGGER project_members_authz_epoch
	AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON project_members
	FOR EACH STATEMENT EXECUTE FUNCTION authz_epoch_bump();
