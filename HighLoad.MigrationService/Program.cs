using HighLoad.MigrationService;

// Runs once: the schema migrations, on a direct connection to the primary (ConnectionStrings__highload), then exits.
// Exit code 0 lets the api and the worker start; anything else stops the run with this process's last log lines.
var builder = Host.CreateApplicationBuilder(args);
builder.AddServiceDefaults();
builder.AddNpgsqlDataSource("highload");
builder.Services.AddSingleton<DatabaseMigrator>();

using var host = builder.Build();
await host.StartAsync();
var logger = host.Services.GetRequiredService<ILogger<DatabaseMigrator>>();
try
{
    using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
    await host.Services.GetRequiredService<DatabaseMigrator>().MigrateAsync(timeout.Token);
    logger.LogInformation("The schema is up to date");
    return 0;
}
catch (Exception ex)
{
    logger.LogCritical(ex, "The migrations failed; nothing that needs the schema will start");
    return 1;
}
finally
{
    await host.StopAsync();
}
