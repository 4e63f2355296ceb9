SELECT client_id, status, attempts, result, error, created_at, completed_at FROM jobs WHERE id = $1
