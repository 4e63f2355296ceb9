-- Users. Ids are UUIDv7 (time-ordered), so keyset pagination by id walks them in creation order.
-- version increments on every change and is the ETag.
CREATE TABLE users (
    id         uuid        PRIMARY KEY,
    email      text        NOT NULL,
    name       text        NOT NULL,
    version    bigint      NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- One account per address, whatever its case.
CREATE UNIQUE INDEX users_email_unique ON users (lower(email));

-- Every change to a user, written in the same transaction as the change; the worker relays it to users.events.
CREATE TABLE outbox (
    id           bigserial   PRIMARY KEY,
    aggregate_id uuid        NOT NULL,
    type         text        NOT NULL,
    payload      jsonb       NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    published_at timestamptz
);

CREATE INDEX outbox_unpublished ON outbox (id) WHERE published_at IS NULL;
