SELECT id, name, tier FROM clients WHERE api_key_hash = $1 AND revoked_at IS NULL
