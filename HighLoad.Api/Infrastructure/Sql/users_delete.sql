DELETE FROM users WHERE id = $1
RETURNING id, email, name, version, created_at, updated_at
