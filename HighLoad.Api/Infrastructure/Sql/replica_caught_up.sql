-- On the replica: has it replayed the primary's WAL at least up to this position?
SELECT coalesce(pg_last_wal_replay_lsn() >= $1::pg_lsn, false)
