-- API clients. Keys are stored only as SHA-256 hashes: a leaked table leaks no key.
CREATE TABLE clients (
    id           uuid        PRIMARY KEY,
    name         text        NOT NULL UNIQUE,
    api_key_hash bytea       NOT NULL UNIQUE,
    tier         text        NOT NULL DEFAULT 'standard',
    created_at   timestamptz NOT NULL DEFAULT now()
);
