INSERT INTO jobs (id, client_id, status, attempts, result, error, created_at, completed_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (id) DO NOTHING
