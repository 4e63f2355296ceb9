DELETE FROM users WHERE id = $1 AND owner_id = $2
RETURNING id, owner_id, email, name, version, created_at, updated_at
