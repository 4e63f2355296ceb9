INSERT INTO outbox (aggregate_id, type, payload) VALUES ($1, $2, $3::jsonb)
