-- Keys can be rotated and revoked: a revoked client keeps its rows (its jobs still finish) but its key is refused.
ALTER TABLE clients ADD COLUMN revoked_at timestamptz;
ALTER TABLE clients ADD COLUMN key_rotated_at timestamptz;
