-- A user belongs to the API client that created it; every query is scoped by the owner, and an email is unique
-- within one client's users only (another client's 409 would tell that an address is known).
ALTER TABLE users ADD COLUMN owner_id uuid REFERENCES clients (id);

-- Users from before owners existed: the development client's where there is one, else a revoked placeholder client
-- that an operator can reassign them from. Nothing is deleted.
UPDATE users SET owner_id = (SELECT id FROM clients WHERE name = 'development') WHERE owner_id IS NULL;
INSERT INTO clients (id, name, api_key_hash, tier, revoked_at)
SELECT gen_random_uuid(), 'owner-unknown-before-0005', sha256(gen_random_uuid()::text::bytea), 'standard', now()
WHERE EXISTS (SELECT 1 FROM users WHERE owner_id IS NULL);
UPDATE users SET owner_id = (SELECT id FROM clients WHERE name = 'owner-unknown-before-0005') WHERE owner_id IS NULL;
ALTER TABLE users ALTER COLUMN owner_id SET NOT NULL;

DROP INDEX users_email_unique;
CREATE UNIQUE INDEX users_owner_email_unique ON users (owner_id, lower(email));
-- Keyset pagination within one owner's users.
CREATE INDEX users_owner_id ON users (owner_id, id);

-- Published events are pruned after a while; this finds them without scanning the table.
CREATE INDEX outbox_published ON outbox (published_at) WHERE published_at IS NOT NULL;
