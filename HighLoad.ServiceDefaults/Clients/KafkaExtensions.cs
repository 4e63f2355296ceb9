using Confluent.Kafka;
using HighLoad.ServiceDefaults;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.Hosting;

// What Aspire.Confluent.Kafka gives a service, with its names: AddKafkaProducer<TKey, TValue>("kafka") and
// AddKafkaConsumer<TKey, TValue>("kafka") register a client built from ConnectionStrings__kafka, the librdkafka
// settings in configuration (Kafka:Producer:Config / Kafka:Consumer:Config, e.g. Kafka__Producer__Config__linger.ms)
// and the caller's own, with the client's log in ILogger, its statistics as metrics (meter HighLoad.Kafka) and a
// health check. The same code talks to the local mock cluster and to a real Kafka cluster; it cannot tell which.
//
// Beyond Aspire: a client that must be built more than once (a producer replaced after a fatal error, a consumer
// with handlers of its own) asks for KafkaProducerFactory/KafkaConsumerFactory, registered beside it; and
// AddKafkaAdminClient, which Aspire does not have.
public static class KafkaExtensions
{
    public static void AddKafkaProducer<TKey, TValue>(this IHostApplicationBuilder builder, string connectionName,
        Action<KafkaProducerSettings>? configureSettings = null,
        Action<IServiceProvider, ProducerBuilder<TKey, TValue>>? configureBuilder = null)
    {
        var settings = new KafkaProducerSettings();
        Bind(builder, connectionName, "Producer", settings, settings.Config);
        configureSettings?.Invoke(settings);
        settings.Config.BootstrapServers = settings.ConnectionString;
        if (!settings.DisableMetrics)
        {
            settings.Config.StatisticsIntervalMs ??= KafkaClientMetrics.DefaultIntervalMs;
        }

        builder.Services.AddSingleton(sp => new KafkaProducerFactory<TKey, TValue>(settings, sp, configureBuilder));
        builder.Services.AddSingleton(sp => sp.GetRequiredService<KafkaProducerFactory<TKey, TValue>>().Create());
        AddHealthCheck(builder, connectionName, settings.ConnectionString!, settings.DisableHealthChecks);
    }

    public static void AddKafkaConsumer<TKey, TValue>(this IHostApplicationBuilder builder, string connectionName,
        Action<KafkaConsumerSettings>? configureSettings = null,
        Action<IServiceProvider, ConsumerBuilder<TKey, TValue>>? configureBuilder = null)
    {
        var settings = new KafkaConsumerSettings();
        Bind(builder, connectionName, "Consumer", settings, settings.Config);
        configureSettings?.Invoke(settings);
        settings.Config.BootstrapServers = settings.ConnectionString;
        if (string.IsNullOrEmpty(settings.Config.GroupId))
        {
            throw new InvalidOperationException(
                $"The Kafka consumer of '{connectionName}' needs a group id: set Config.GroupId, or Kafka:Consumer:Config:group.id in configuration.");
        }

        if (!settings.DisableMetrics)
        {
            settings.Config.StatisticsIntervalMs ??= KafkaClientMetrics.DefaultIntervalMs;
        }

        builder.Services.AddSingleton(sp => new KafkaConsumerFactory<TKey, TValue>(settings, sp, configureBuilder));
        builder.Services.AddSingleton(sp => sp.GetRequiredService<KafkaConsumerFactory<TKey, TValue>>().Create());
        AddHealthCheck(builder, connectionName, settings.ConnectionString!, settings.DisableHealthChecks);
    }

    // Topic metadata and offsets (the API's view of the backlog); no Aspire counterpart.
    public static void AddKafkaAdminClient(this IHostApplicationBuilder builder, string connectionName)
    {
        var bootstrapServers = ConnectionStrings.Require(builder.Configuration, connectionName);
        builder.Services.AddSingleton(sp =>
        {
            KafkaNativeLibrary.Use();
            var logger = sp.GetRequiredService<ILoggerFactory>().CreateLogger(KafkaClientLog.Category);
            return new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrapServers })
                .SetLogHandler((_, message) => KafkaClientLog.Write(logger, message))
                .SetErrorHandler((_, error) => KafkaClientLog.Write(logger, error))
                .Build();
        });
        AddHealthCheck(builder, connectionName, bootstrapServers, disabled: false);
    }

    private static void Bind(IHostApplicationBuilder builder, string connectionName, string kind, KafkaClientSettings settings, ClientConfig config)
    {
        settings.ConnectionString = ConnectionStrings.Require(builder.Configuration, connectionName);
        var section = builder.Configuration.GetSection($"Kafka:{kind}");
        settings.DisableHealthChecks = section.GetValue(nameof(settings.DisableHealthChecks), false);
        settings.DisableMetrics = section.GetValue(nameof(settings.DisableMetrics), false);
        foreach (var property in section.GetSection("Config").GetChildren())
        {
            config.Set(property.Key, property.Value);
        }
    }

    // One health check per connection, however many clients use it.
    private static void AddHealthCheck(IHostApplicationBuilder builder, string connectionName, string bootstrapServers, bool disabled)
    {
        if (disabled || builder.Services.Any(d => d.IsKeyedService && d.ServiceType == typeof(KafkaHealthCheck) && Equals(d.ServiceKey, connectionName)))
        {
            return;
        }

        builder.Services.AddKeyedSingleton(connectionName, (_, _) => new KafkaHealthCheck(bootstrapServers));
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            connectionName,
            sp => sp.GetRequiredKeyedService<KafkaHealthCheck>(connectionName),
            failureStatus: HealthStatus.Unhealthy,
            tags: null,
            timeout: TimeSpan.FromSeconds(5)));
    }
}

public abstract class KafkaClientSettings
{
    // The broker list; from ConnectionStrings__<connectionName> unless set here.
    public string? ConnectionString { get; set; }

    public bool DisableHealthChecks { get; set; }

    // Without metrics the client's statistics are not requested (statistics.interval.ms stays unset).
    public bool DisableMetrics { get; set; }
}

public sealed class KafkaProducerSettings : KafkaClientSettings
{
    public ProducerConfig Config { get; } = new();
}

public sealed class KafkaConsumerSettings : KafkaClientSettings
{
    public ConsumerConfig Config { get; } = new();
}

// Builds producers with the registered settings. configure runs before the integration's own handlers; a log,
// error or statistics handler the caller sets is kept, and onStatistics sees the statistics the metrics read.
public sealed class KafkaProducerFactory<TKey, TValue>(
    KafkaProducerSettings settings,
    IServiceProvider services,
    Action<IServiceProvider, ProducerBuilder<TKey, TValue>>? configureBuilder)
{
    public ProducerConfig Config => settings.Config;

    public IProducer<TKey, TValue> Create(Action<ProducerBuilder<TKey, TValue>>? configure = null, Action<string>? onStatistics = null)
    {
        KafkaNativeLibrary.Use();
        var builder = new ProducerBuilder<TKey, TValue>(settings.Config);
        configureBuilder?.Invoke(services, builder);
        configure?.Invoke(builder);

        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(KafkaClientLog.Category);
        KafkaClientLog.TrySet(() => builder.SetLogHandler((_, message) => KafkaClientLog.Write(logger, message)));
        KafkaClientLog.TrySet(() => builder.SetErrorHandler((_, error) => KafkaClientLog.Write(logger, error)));
        if (!settings.DisableMetrics || onStatistics is not null)
        {
            KafkaClientLog.TrySet(() => builder.SetStatisticsHandler((_, json) =>
            {
                if (!settings.DisableMetrics)
                {
                    KafkaClientMetrics.Record(json);
                }

                onStatistics?.Invoke(json);
            }));
        }

        return builder.Build();
    }
}

public sealed class KafkaConsumerFactory<TKey, TValue>(
    KafkaConsumerSettings settings,
    IServiceProvider services,
    Action<IServiceProvider, ConsumerBuilder<TKey, TValue>>? configureBuilder)
{
    public ConsumerConfig Config => settings.Config;

    public IConsumer<TKey, TValue> Create(Action<ConsumerBuilder<TKey, TValue>>? configure = null)
    {
        KafkaNativeLibrary.Use();
        var builder = new ConsumerBuilder<TKey, TValue>(settings.Config);
        configureBuilder?.Invoke(services, builder);
        configure?.Invoke(builder);

        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(KafkaClientLog.Category);
        KafkaClientLog.TrySet(() => builder.SetLogHandler((_, message) => KafkaClientLog.Write(logger, message)));
        KafkaClientLog.TrySet(() => builder.SetErrorHandler((_, error) => KafkaClientLog.Write(logger, error)));
        if (!settings.DisableMetrics)
        {
            KafkaClientLog.TrySet(() => builder.SetStatisticsHandler((_, json) => KafkaClientMetrics.Record(json)));
        }

        return builder.Build();
    }
}

internal static class KafkaClientLog
{
    public const string Category = "Confluent.Kafka";

    // The builders allow each handler once; one the caller set stays.
    public static void TrySet(Action set)
    {
        try
        {
            set();
        }
        catch (InvalidOperationException)
        {
        }
    }

    // librdkafka logs a refused connection as an error; it retries, so here it is a warning.
    public static void Write(ILogger logger, LogMessage message) =>
        logger.Log(message.Level switch
        {
            <= SyslogLevel.Warning => LogLevel.Warning,
            SyslogLevel.Notice or SyslogLevel.Info => LogLevel.Information,
            _ => LogLevel.Debug,
        }, "{Client} {Facility}: {Message}", message.Name, message.Facility, message.Message);

    // The client retries what is not fatal by itself, so only a fatal error is an error here.
    public static void Write(ILogger logger, Error error) =>
        logger.Log(error.IsFatal ? LogLevel.Error : LogLevel.Warning, "Kafka client: {Reason} ({Code})", error.Reason, error.Code);
}

// Healthy when the cluster answers a metadata request and names at least one broker. The request blocks a
// thread, so it runs off the request path at most once a second and every probe in between shares its answer:
// under load, /health must stay cheap (a blocking call per probe starved the thread pool: p99 of 2.7 s at 250/s).
public sealed class KafkaHealthCheck : IHealthCheck, IDisposable
{
    private static readonly TimeSpan Fresh = TimeSpan.FromSeconds(1);
    private readonly IAdminClient _admin;
    private readonly Lock _gate = new();
    private Task<HealthCheckResult>? _last;
    private DateTime _lastStarted;

    public KafkaHealthCheck(string bootstrapServers)
    {
        KafkaNativeLibrary.Use();
        _admin = new AdminClientBuilder(new AdminClientConfig
        {
            BootstrapServers = bootstrapServers,
            SocketTimeoutMs = 3000,
        }).Build();
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (_last is null || (_last.IsCompleted && DateTime.UtcNow - _lastStarted > Fresh))
            {
                _lastStarted = DateTime.UtcNow;
                _last = Task.Factory.StartNew(Probe, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            }

            return _last.WaitAsync(cancellationToken);
        }
    }

    private HealthCheckResult Probe()
    {
        try
        {
            var metadata = _admin.GetMetadata(TimeSpan.FromSeconds(3));
            return metadata.Brokers.Count > 0
                ? HealthCheckResult.Healthy($"{metadata.Brokers.Count} brokers")
                : HealthCheckResult.Unhealthy("The cluster named no broker.");
        }
        catch (KafkaException ex)
        {
            return HealthCheckResult.Unhealthy(ex.Error.Reason, ex);
        }
    }

    public void Dispose() => _admin.Dispose();
}
