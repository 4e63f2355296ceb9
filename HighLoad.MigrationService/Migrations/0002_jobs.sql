-- One row per finished job, written by a worker. The primary key makes a second write of the same job
-- (after a crash, before its offset was committed) a no-op: at-least-once delivery, exactly one effect.
CREATE TABLE jobs (
    id           uuid        PRIMARY KEY,
    client_id    uuid        NOT NULL REFERENCES clients (id),
    status       text        NOT NULL CHECK (status IN ('succeeded', 'failed')),
    attempts     int         NOT NULL,
    result       text,
    error        text,
    created_at   timestamptz NOT NULL,
    completed_at timestamptz NOT NULL
);

CREATE INDEX jobs_client_completed ON jobs (client_id, completed_at DESC);
