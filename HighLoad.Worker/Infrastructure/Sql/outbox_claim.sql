-- Only one relayer at a time (every worker replica runs one): per-user order is outbox order.
-- A transaction-scoped lock, so it holds through PgBouncer's transaction pooling.
SELECT pg_try_advisory_xact_lock(7079764721)
