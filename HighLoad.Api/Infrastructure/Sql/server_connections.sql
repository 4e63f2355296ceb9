-- PgBouncer's server connections to this server, as PostgreSQL sees them: the client backends of the services' user
-- on the services' database, this query's own included (it runs on one of them). A direct connection as that user (a
-- migration, an operator's psql) counts too; replication and PostgreSQL's own workers are other backend types.
SELECT count(*) FROM pg_stat_activity
WHERE backend_type = 'client backend' AND usename = current_user AND datname = current_database()
