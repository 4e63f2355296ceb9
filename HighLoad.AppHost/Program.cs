using HighLoad.Hosting;
using HighLoad.Kafka;
using HighLoad.ThirdParty;

var builder = DistributedApplication.CreateBuilder(args);

builder.AddDashboard<Projects.HighLoad_Dashboard>("dashboard", port: 18888, resourceServicePort: 18889)
    .WithOtlpIntake(grpcPort: 18890, httpPort: 18891);

var pg = builder.AddPostgres("pg", port: 15432);
var highload = pg.AddDatabase("highload");
var pgReplica = pg.AddReplica("pg-replica", port: 15433);

var pgbouncer = builder.AddPgBouncer("pgbouncer", port: 16432)
    .WithMaxServerConnections(100);
var db = pgbouncer.AddDatabase("db", highload);
var dbReplica = pgbouncer.AddDatabase("db-replica", highload, on: pgReplica);

var redis = builder.AddRedis("redis", port: 16379);

var kafka = builder.AddKafka("kafka", brokers: 3, controlPort: 15092)
    .WithTopics(partitions: 12, "jobs.requested", "jobs.retry.1", "jobs.retry.2", "jobs.dlq", "users.events");

var thirdParty = builder.AddThirdPartySimulator("thirdparty", port: 15080)
    .WithLimits(perMinute: 1_000, perHour: 50_000, perDay: 500_000);

var devApiKey = builder.AddParameter("dev-api-key", secret: false);
var adminApiKey = builder.AddParameter("admin-api-key");
var jobIdKey = builder.AddParameter("job-id-key");

var migrations = builder.AddProject<Projects.HighLoad_MigrationService>("migrations")
    .WithReference(highload)
    .WaitFor(highload);

var api = builder.AddProject<Projects.HighLoad_Api>("api", port: 15101)
    .WithReplicas(2)
    .WithReference(db).WithReference(dbReplica).WithReference(redis).WithReference(kafka).WithProviderLimits(thirdParty)
    .WithEnvironment("DevelopmentClient__ApiKey", devApiKey)
    .WithEnvironment("Admin__ApiKey", adminApiKey)
    .WithEnvironment("Jobs__Intake__IdSigningKey", jobIdKey)
    .WithEnvironment("PgBouncer__MaxServerConnections", pgbouncer.Resource.MaxServerConnections.ToString())
    .WaitFor(db).WaitFor(dbReplica).WaitFor(redis).WaitFor(kafka).WaitForCompletion(migrations);

builder.AddProject<Projects.HighLoad_Worker>("worker", port: 15201)
    .WithReplicas(2)
    .WithReference(db).WithReference(redis).WithReference(kafka).WithReference(thirdParty)
    .WaitFor(db).WaitFor(redis).WaitFor(kafka).WaitFor(thirdParty).WaitForCompletion(migrations);

builder.AddNginx("lb", port: 8080)
    .WithLoadBalancing(api);

builder.Build().Run();
