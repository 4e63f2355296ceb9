-- A new key for a client that is not revoked; returns the old key's hash, so every replica can forget it.
UPDATE clients AS c SET api_key_hash = $2, key_rotated_at = now()
FROM (SELECT id, api_key_hash FROM clients WHERE id = $1 AND revoked_at IS NULL FOR UPDATE) AS old
WHERE c.id = old.id
RETURNING old.api_key_hash
