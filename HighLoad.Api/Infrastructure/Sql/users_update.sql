-- A null leaves the field as it is (PATCH); PUT passes both.
UPDATE users
SET email = coalesce($2, email), name = coalesce($3, name), version = version + 1, updated_at = now()
WHERE id = $1
RETURNING id, email, name, version, created_at, updated_at
