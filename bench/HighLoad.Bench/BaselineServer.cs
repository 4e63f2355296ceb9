namespace HighLoad.Bench;

// The baseline: a bare Kestrel endpoint with a constant small JSON body, in a process of its own, measured by
// the same generator on the same machine in the same run. Every other result is also a ratio to it.
public static class BaselineServer
{
    public static void Run(int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapGet("/", () => Results.Text("""{"status":"ok"}""", "application/json"));
        app.Run();
    }
}
