using HighLoad.Hosting;
using HighLoad.ThirdParty;

var builder = DistributedApplication.CreateBuilder(args);

var pg = builder.AddPostgres("pg", port: 15432, database: "highload");
var pgReplica = pg.AddReplica("pg-replica", port: 15433);

var pgbouncer = builder.AddPgBouncer("pgbouncer", port: 16432)
    .WithMaxServerConnections(100)
    .Fronting(pg, pgReplica);

var redis = builder.AddRedis("redis", port: 16379);

var kafka = builder.AddKafka("kafka", brokers: 3)
    .WithTopics(partitions: 12, "jobs.requested", "jobs.retry.1", "jobs.retry.2", "jobs.dlq", "users.events");

var thirdParty = builder.AddThirdPartySimulator("thirdparty", port: 15080)
    .WithLimits(perMinute: 1_000, perHour: 50_000, perDay: 500_000);

var devApiKey = builder.AddParameter("dev-api-key", secret: false);
var adminApiKey = builder.AddParameter("admin-api-key");
var jobIdKey = builder.AddParameter("job-id-key");

var api = builder.AddProject<Projects.HighLoad_Api>("api", port: 15101)
    .WithReplicas(2)
    .WithReference(pg).WithReference(pgReplica).WithReference(redis).WithReference(kafka).WithReference(thirdParty)
    .WithEnvironment("DevelopmentClient__ApiKey", devApiKey)
    .WithEnvironment("Admin__ApiKey", adminApiKey)
    .WithEnvironment("Jobs__Intake__IdSigningKey", jobIdKey)
    .WaitFor(pgbouncer).WaitFor(redis).WaitFor(kafka);

builder.AddProject<Projects.HighLoad_Worker>("worker", port: 15201)
    .WithReplicas(2)
    .WithReference(pg).WithReference(redis).WithReference(kafka).WithReference(thirdParty)
    .WaitFor(api).WaitFor(thirdParty);

builder.AddNginx("lb", port: 8080)
    .WithLoadBalancing(api)
    .WaitFor(api);

builder.Build().Run();
