INSERT INTO clients (id, name, api_key_hash, tier)
VALUES ($1, $2, $3, $4)
ON CONFLICT (name) DO UPDATE SET api_key_hash = EXCLUDED.api_key_hash, tier = EXCLUDED.tier;
