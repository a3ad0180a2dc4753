-- The vertical that answered a call: its post-call ingestion writes only what that vertical's
-- ontology (and the caller core) holds, even when tenants of two verticals share a graph.
ALTER TABLE calls ADD COLUMN vertical text NOT NULL DEFAULT 'real_estate';
