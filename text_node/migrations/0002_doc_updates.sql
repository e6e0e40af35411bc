-- The op set's Yjs Doc, persisted the way y-postgres stores do: an append-only log of
-- updates, each written in the transaction of the change it made, periodically compacted
-- into one snapshot update. The node rebuilds its op set from this log alone.
--
-- `ops` (one JSON row per operation) is kept, read once: a database written before this
-- migration has its operations there, and the node adopts them into the Doc at its next
-- start (the first compaction then empties `ops`).
CREATE TABLE doc_updates (
    id bigserial PRIMARY KEY,
    body bytea NOT NULL
);
