-- Keyset pagination: the rows after the cursor's id, in id order; served by the users_pkey index.
SELECT id, email, name, version, created_at, updated_at FROM users
WHERE $1::uuid IS NULL OR id > $1
ORDER BY id
LIMIT $2
