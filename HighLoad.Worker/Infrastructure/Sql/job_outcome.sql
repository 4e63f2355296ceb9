-- Before a job runs: does its client still exist, and has the job already finished (a redelivery)?
SELECT EXISTS (SELECT 1 FROM clients WHERE id = $2), j.status, j.attempts, j.result, j.error, j.completed_at
FROM (SELECT 1) AS one
LEFT JOIN jobs AS j ON j.id = $1
