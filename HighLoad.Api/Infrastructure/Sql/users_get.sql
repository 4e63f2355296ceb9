SELECT id, email, name, version, created_at, updated_at FROM users WHERE id = $1
