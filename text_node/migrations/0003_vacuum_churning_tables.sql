-- Tables a node rewrites all the time: every edit inserts outbox rows that are deleted once
-- delivered, renumbers `documents` rows when a late operation lands, replaces the budget row
-- and appends to the update log that compaction then empties. Under load their dead rows
-- outgrow the live ones within seconds, and every statement that walks them slows down (a
-- 50-client load ran 40 % slower after a minute). Vacuum them after a fixed number of dead
-- rows, not after a fifth of the table, and without the cost-based pauses.
ALTER TABLE outbox SET (
    autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 1000,
    autovacuum_vacuum_cost_delay = 0
);
ALTER TABLE documents SET (
    autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 1000,
    autovacuum_vacuum_cost_delay = 0
);
ALTER TABLE doc_updates SET (
    autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 1000,
    autovacuum_vacuum_cost_delay = 0
);
ALTER TABLE token_budget SET (
    autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 1000,
    autovacuum_vacuum_cost_delay = 0
);
