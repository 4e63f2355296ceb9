using HighLoad.Dashboard.Apis;
using HighLoad.Dashboard.Components;
using HighLoad.Dashboard.Extensions;

var builder = WebApplication.CreateBuilder(args);

builder.AddDashboardServices();

var app = builder.Build();

app.UseAuthentication();
app.UseAuthorization();
app.UseAntiforgery();

app.MapHealthChecks("/health");
app.MapHealthChecks("/alive");
app.MapLoginApi();
app.MapConsoleLogsApi();
app.MapStaticAssets();
app.MapRazorComponents<App>()
    .AddInteractiveServerRenderMode()
    .RequireAuthorization();

app.Run();
