UPDATE outbox SET published_at = now() WHERE id = ANY($1)
