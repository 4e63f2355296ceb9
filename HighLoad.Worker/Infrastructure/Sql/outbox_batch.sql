SELECT id, aggregate_id, type, payload::text, created_at FROM outbox
WHERE published_at IS NULL
ORDER BY id
LIMIT $1
