SELECT id, name, tier FROM clients WHERE api_key_hash = $1
