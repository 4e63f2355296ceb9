using System.Reflection;

namespace HighLoad.Hosting.Testing;

// Boots the AppHost's own Program.cs for tests, the way Aspire.Hosting.Testing does: the entry point
// declares the model as usual, and the model is taken at Build() instead of being run. Tests get free
// ports and a fresh state folder of their own (HIGHLOAD_TEST_STATE_DIR, or one in /tmp), so a ./run.sh on the same machine does not get in the way.
public static class DistributedApplicationTestingBuilder
{
    private static readonly SemaphoreSlim Gate = new(1, 1);

    public static async Task<DistributedApplicationBuilder> CreateAsync(Action<DistributedApplicationOptions>? configure = null)
    {
        var entryPoint = typeof(DistributedApplicationTestingBuilder).Assembly.EntryPoint
            ?? throw new InvalidOperationException("The AppHost assembly has no entry point.");

        await Gate.WaitAsync();
        try
        {
            DistributedApplicationBuilder? captured = null;
            DistributedApplicationBuilder.ConfigureOptions = options =>
            {
                options.StateDirectory = Environment.GetEnvironmentVariable("HIGHLOAD_TEST_STATE_DIR")
                    ?? Path.Combine(Path.GetTempPath(), $"highload-tests-{Guid.NewGuid():N}"[..27]);
                options.Fresh = true;
                options.DynamicPorts = true;
                options.EchoResourceOutput = false;
                configure?.Invoke(options);
            };
            DistributedApplicationBuilder.BuildInterceptor = builder => captured = builder;
            try
            {
                entryPoint.Invoke(null, [Array.Empty<string>()]);
            }
            catch (TargetInvocationException ex) when (ex.InnerException is BuildInterceptedException)
            {
            }

            return captured ?? throw new InvalidOperationException("The AppHost's Program.cs never called Build().");
        }
        finally
        {
            DistributedApplicationBuilder.ConfigureOptions = null;
            DistributedApplicationBuilder.BuildInterceptor = null;
            Gate.Release();
        }
    }
}
