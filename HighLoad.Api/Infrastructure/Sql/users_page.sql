-- Keyset pagination within one owner's users: the rows after the cursor's id, in id order (users_owner_id index).
SELECT id, owner_id, email, name, version, created_at, updated_at FROM users
WHERE owner_id = $1 AND ($2::uuid IS NULL OR id > $2)
ORDER BY id
LIMIT $3
