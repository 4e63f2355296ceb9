INSERT INTO users (id, owner_id, email, name) VALUES ($1, $2, $3, $4)
RETURNING id, owner_id, email, name, version, created_at, updated_at
