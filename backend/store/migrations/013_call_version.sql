-- A call's version: bumped by every write to its live state (a stored turn, with whatever
-- its tools wrote to the call, such as the caller a step-up check found; an amended reply; a
-- transfer). An API process's copy of a live call is a cache of the call at one version; a
-- different version under the call's turn lock means another process wrote it since, and the
-- copy is rebuilt (backend/calls.py, docs/production.md).
ALTER TABLE calls ADD COLUMN version bigint NOT NULL DEFAULT 0;
