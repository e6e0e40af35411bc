-- The node schema as of issue 18: the spec's tables (documents, edits, token_budget) and what
-- replication needs (ops, outbox). Frozen: a change to the schema is a new file.
--
-- Two deliberate differences from the spec's sketch, both forced by replication:
-- - `documents` is keyed by `version_key`: a dense `version` is a rank in key order and moves up
--   by one when a late operation lands below it. Only the head and every N-th version keep
--   their text (the rest is replayed from `ops`), so storage does not grow as size x versions.
-- - `edits` is keyed by (edit_id, document_id): a client retry that landed after a new document
--   started is an edit of that document too.

CREATE TABLE documents (
    version_key bigint NOT NULL,
    version integer NOT NULL,
    document_id character varying NOT NULL,
    text text,
    "timestamp" timestamp with time zone NOT NULL,
    edit_id uuid NOT NULL,
    CONSTRAINT documents_pkey PRIMARY KEY (version_key)
);
CREATE INDEX idx_documents_version ON documents (version DESC);

CREATE TABLE edits (
    edit_id uuid NOT NULL,
    document_id character varying NOT NULL,
    agent_id character varying NOT NULL,
    proposed_text text NOT NULL,
    "position" character varying NOT NULL,
    tokens_used integer NOT NULL,
    status character varying NOT NULL,
    created_at timestamp with time zone NOT NULL,
    node smallint NOT NULL,
    version_key bigint NOT NULL,
    base_version integer NOT NULL,
    reason text NOT NULL DEFAULT '',
    CONSTRAINT edits_pkey PRIMARY KEY (edit_id, document_id)
);
CREATE INDEX idx_edits_status ON edits (status);
CREATE INDEX idx_edits_version_key ON edits (version_key DESC);

-- One row (id 1): the tokens spent and the limit, shared by every document.
CREATE TABLE token_budget (
    id integer NOT NULL DEFAULT 1,
    total_tokens bigint NOT NULL DEFAULT 0,
    limit_tokens bigint NOT NULL DEFAULT 15000000,
    CONSTRAINT token_budget_pkey PRIMARY KEY (id)
);

-- The durable op set: every operation held, keyed by its version key, with its origin's
-- sequence number.
CREATE TABLE ops (
    version_key bigint NOT NULL,
    origin smallint NOT NULL,
    seq integer NOT NULL,
    edit_id character varying NOT NULL,
    document_id character varying NOT NULL,
    kind character varying NOT NULL,
    body jsonb NOT NULL,
    CONSTRAINT ops_pkey PRIMARY KEY (version_key),
    CONSTRAINT uq_ops_origin_seq UNIQUE (origin, seq)
);

-- Deliveries to peers (version_key) and to analytics (payload) not yet acknowledged.
CREATE TABLE outbox (
    id bigserial NOT NULL,
    destination character varying NOT NULL,
    version_key bigint,
    payload jsonb,
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at timestamp with time zone NOT NULL DEFAULT now(),
    CONSTRAINT outbox_pkey PRIMARY KEY (id)
);
CREATE INDEX idx_outbox_due ON outbox (destination, next_attempt_at);
