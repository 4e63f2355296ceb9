using System.Diagnostics;
using System.Reflection;
using HighLoad.Hosting.ApplicationModel;

namespace HighLoad.Hosting.Testing;

// Boots an AppHost's own Program.cs the way Aspire.Hosting.Testing does: the entry point declares the model as usual,
// and the builder is taken when Program.cs calls Build(), before anything runs. The hosting layer only announces its
// builder on a DiagnosticListener (as Microsoft.Extensions.Hosting does for WebApplicationFactory); this listens.
// Tests get free ports and a fresh state folder of their own (HIGHLOAD_TEST_STATE_DIR, or one in /tmp), so a ./run.sh
// on the same machine does not get in the way.
public static class DistributedApplicationTestingBuilder
{
    private static readonly SemaphoreSlim Gate = new(1, 1);

    public static async Task<IDistributedApplicationBuilder> CreateAsync<TEntryPoint>(Action<DistributedApplicationOptions>? configure = null)
        where TEntryPoint : IProjectMetadata, new()
    {
        var assembly = Assembly.Load(Path.GetFileNameWithoutExtension(new TEntryPoint().AssemblyPath));
        var entryPoint = assembly.EntryPoint ?? throw new InvalidOperationException($"{assembly.GetName().Name} has no entry point.");

        await Gate.WaitAsync();
        try
        {
            // Only the entry point's own builder: Program.cs runs on this thread up to Build(), while other tests may
            // build models of their own on other threads meanwhile.
            var thread = Environment.CurrentManagedThreadId;
            IDistributedApplicationBuilder? captured = null;
            IDisposable? events = null;
            using var subscription = DiagnosticListener.AllListeners.Subscribe(new Observer<DiagnosticListener>(listener =>
            {
                if (listener.Name == "HighLoad.Hosting")
                {
                    events = listener.Subscribe(new Observer<KeyValuePair<string, object?>>(e =>
                    {
                        if (Environment.CurrentManagedThreadId != thread)
                        {
                            return;
                        }

                        switch (e)
                        {
                            case { Key: "BuilderCreating", Value: DistributedApplicationOptions options }:
                                options.StateDirectory = Environment.GetEnvironmentVariable("HIGHLOAD_TEST_STATE_DIR")
                                    ?? Path.Combine(Path.GetTempPath(), $"highload-tests-{Guid.NewGuid():N}"[..27]);
                                options.Fresh = true;
                                options.DynamicPorts = true;
                                options.EchoResourceOutput = false;
                                configure?.Invoke(options);
                                break;
                            case { Key: "Building", Value: IDistributedApplicationBuilder builder } when captured is null:
                                captured = builder;
                                throw new BuilderCapturedException();
                        }
                    }));
                }
            }));

            try
            {
                entryPoint.Invoke(null, [Array.Empty<string>()]);
            }
            catch (TargetInvocationException ex) when (ex.InnerException is BuilderCapturedException)
            {
            }
            finally
            {
                events?.Dispose();
            }

            return captured ?? throw new InvalidOperationException("The AppHost's Program.cs never called Build().");
        }
        finally
        {
            Gate.Release();
        }
    }

    private sealed class BuilderCapturedException() : Exception("The testing builder took the application model.");

    private sealed class Observer<T>(Action<T> onNext) : IObserver<T>
    {
        public void OnNext(T value) => onNext(value);

        public void OnCompleted()
        {
        }

        public void OnError(Exception error)
        {
        }
    }
}
