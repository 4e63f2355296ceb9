using HighLoad.Api.Apis;
using HighLoad.Api.Infrastructure.RateLimiting;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseAuthentication();
app.UseAuthorization();
app.UseMiddleware<ClientRateLimitingMiddleware>();

app.MapDefaultEndpoints();
app.MapJobsApi();
app.MapUsersApi();

app.Run();
