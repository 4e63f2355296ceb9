using HighLoad.Api.Apis;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddGateway();
builder.AddApplicationServices();

var app = builder.Build();

app.UseGateway();

app.MapDefaultEndpoints();
app.MapJobsApi();
app.MapUsersApi();
app.MapClientsAdminApi();

app.Run();
