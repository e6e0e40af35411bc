-- The events table (spec component 7): the spec's columns plus `event_id`, the sender's id of
-- the event, unique, so a redelivered event (outbox retry after a timeout) is stored once.
-- Frozen: a change to the schema is a new file.

CREATE TABLE events (
    id bigserial NOT NULL,
    event_type character varying NOT NULL,
    agent_id character varying,
    version integer,
    tokens integer NOT NULL DEFAULT 0,
    "timestamp" timestamp with time zone NOT NULL,
    metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
    event_id character varying,
    CONSTRAINT events_pkey PRIMARY KEY (id),
    CONSTRAINT events_event_id_key UNIQUE (event_id)
);
CREATE INDEX idx_events_timestamp ON events ("timestamp" DESC);
CREATE INDEX idx_events_type ON events (event_type);
