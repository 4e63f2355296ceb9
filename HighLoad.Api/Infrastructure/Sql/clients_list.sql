SELECT id, name, tier, created_at, revoked_at FROM clients ORDER BY created_at, id
