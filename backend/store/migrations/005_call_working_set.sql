-- The call's working set (results read out, shortlist, last booking, search criteria),
-- so any API process can take the next turn; and per agent turn, the context it read:
-- fact and episode ids with the record time (known_at) they were read at.
ALTER TABLE calls ADD COLUMN working_set jsonb NOT NULL DEFAULT '{}';
ALTER TABLE turns ADD COLUMN context jsonb;
