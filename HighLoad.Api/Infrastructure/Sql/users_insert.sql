INSERT INTO users (id, email, name) VALUES ($1, $2, $3)
RETURNING id, email, name, version, created_at, updated_at
