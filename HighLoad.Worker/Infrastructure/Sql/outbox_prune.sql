-- Published events older than the retention, a batch at a time (outbox_published index).
DELETE FROM outbox
WHERE id IN (SELECT id FROM outbox WHERE published_at < now() - $1::interval ORDER BY published_at LIMIT $2)
