INSERT INTO clients (id, name, api_key_hash, tier) VALUES ($1, $2, $3, $4)
RETURNING id, name, tier, created_at, revoked_at
