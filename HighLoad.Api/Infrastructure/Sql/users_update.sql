-- A null leaves the field as it is (PATCH); PUT passes both.
UPDATE users
SET email = coalesce($3, email), name = coalesce($4, name), version = version + 1, updated_at = now()
WHERE id = $1 AND owner_id = $2
RETURNING id, owner_id, email, name, version, created_at, updated_at
