using HighLoad.Dashboard.Apis;
using HighLoad.Dashboard.Components;
using HighLoad.Dashboard.Extensions;

var builder = WebApplication.CreateBuilder(args);

builder.AddDashboardServices();
builder.AddTelemetryIntake();

var app = builder.Build();

app.UseAuthentication();
app.UseAuthorization();
app.UseAntiforgery();

app.MapHealthChecks("/health");
app.MapHealthChecks("/alive");
app.MapLoginApi();
app.MapConsoleLogsApi();
app.MapTelemetryIntake();
app.MapTelemetryApi();
app.MapStaticAssets();
app.MapRazorComponents<App>()
    .AddInteractiveServerRenderMode()
    .RequireAuthorization();

app.Run();
