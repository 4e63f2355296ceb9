using System.Net.Http.Json;
using System.Runtime.InteropServices;
using HighLoad.Hosting;
using HighLoad.Hosting.ApplicationModel;
using HighLoad.Hosting.Testing;
using HighLoad.Kafka;

namespace HighLoad.Chaos;

// What the schedule can do to the running system. Each fault injects itself, holds for its duration, lifts itself
// (or leaves the restart to the AppHost, as a crash does) and says what it did. Processes are signalled by the
// process id their resource's snapshot names, never by name.
public sealed class Faults(DistributedApplication app, HttpClient http, ProcessWatch processes)
{
    public static readonly string[] Names =
    [
        "worker-kill", "api-kill", "redis-kill", "pgbouncer-restart", "replica-stop", "broker-down", "brokers-down",
        "provider-errors", "provider-busy", "provider-slow", "provider-outage", "rebalance",
    ];

    // How long each of the provider's bad spells lasts before the outage: long enough that two worker kills fall in
    // the slow one, when jobs of one partition finish out of order and the offset committed matters most.
    private static readonly TimeSpan Spell = TimeSpan.FromSeconds(15);

    public Task<string> RunAsync(FaultStep step, CancellationToken cancellationToken) => step.Name switch
    {
        "worker-kill" => KillWorkerAsync(cancellationToken),
        "api-kill" => KillAsync($"api-{step.Replica}", waitForRestart: true, cancellationToken),
        "redis-kill" => KillAsync("redis", waitForRestart: true, cancellationToken),
        "pgbouncer-restart" => CommandAsync("pgbouncer", KnownResourceCommands.RestartCommand, "restarted (its clients' connections cut)", cancellationToken),
        "replica-stop" => StopForAsync("pg-replica", TimeSpan.FromSeconds(20), cancellationToken),
        "broker-down" => BrokersDownAsync([2], TimeSpan.FromSeconds(10), cancellationToken),
        "brokers-down" => BrokersDownAsync([.. Enumerable.Range(1, app.GetResource<KafkaServerResource>("kafka").Brokers)], TimeSpan.FromSeconds(5), cancellationToken),
        "provider-errors" => ProviderAsync(new { errorRate = 0.3 }, "30% of calls answered 503", Spell, cancellationToken),
        "provider-busy" => ProviderAsync(new { busyRate = 0.5, busyRetryAfter = "00:00:03" }, "50% of calls answered 429, Retry-After 3 s", Spell, cancellationToken),
        "provider-slow" => ProviderAsync(new { spikeRate = 0.3, spikeLatency = "00:00:02" }, "30% of calls take 2 s", Spell, cancellationToken),
        "provider-outage" => ProviderAsync(new { outage = true }, "every call answered 503", TimeSpan.FromSeconds(20), cancellationToken),
        "rebalance" => RebalanceAsync(TimeSpan.FromSeconds(12), cancellationToken),
        _ => throw new ArgumentException($"No fault is named '{step.Name}'."),
    };

    // The replica that has run longest: it holds its share of the partitions and a full pool of jobs (one that has
    // just restarted may still be joining the group, and killing it again tests little).
    private Task<string> KillWorkerAsync(CancellationToken cancellationToken)
    {
        var running = app.GetResource<ProjectResource>("worker").InstanceNames()
            .Select(instance => (Instance: instance, Snapshot: Snapshot(instance)))
            .Where(w => w.Snapshot is { State: KnownResourceStates.Running })
            .OrderBy(w => w.Snapshot!.StartTimeStamp)
            .ToList();
        return running.Count == 0
            ? Task.FromResult("skipped: no worker replica was running")
            : KillAsync(running[0].Instance, waitForRestart: false, cancellationToken);
    }

    // kill -9, as a crash or the OOM killer ends a process; the AppHost restarts it.
    private async Task<string> KillAsync(string instance, bool waitForRestart, CancellationToken cancellationToken)
    {
        if (Snapshot(instance) is not { State: KnownResourceStates.Running, Pid: { } pid })
        {
            return $"skipped: {instance} was not running (it is {Snapshot(instance)?.State}), still restarting from the last kill";
        }

        _ = kill(pid, 9);
        if (!waitForRestart)
        {
            return $"kill -9 {instance} (pid {pid})";
        }

        var killedAt = DateTime.UtcNow;
        while (Snapshot(instance) is not { State: KnownResourceStates.Running } running || running.Pid == pid)
        {
            if (DateTime.UtcNow - killedAt > TimeSpan.FromSeconds(90))
            {
                return $"kill -9 {instance} (pid {pid}); not running again within 90 s";
            }

            await Task.Delay(100, cancellationToken);
        }

        return $"kill -9 {instance} (pid {pid}); the AppHost had it running again in {(DateTime.UtcNow - killedAt).TotalSeconds:0.0} s";
    }

    private async Task<string> CommandAsync(string instance, string command, string what, CancellationToken cancellationToken)
    {
        var started = DateTime.UtcNow;
        await app.ExecuteCommandAsync(instance, command, cancellationToken);
        return $"{instance} {what} in {(DateTime.UtcNow - started).TotalSeconds:0.0} s";
    }

    private async Task<string> StopForAsync(string instance, TimeSpan duration, CancellationToken cancellationToken)
    {
        await app.ExecuteCommandAsync(instance, KnownResourceCommands.StopCommand, cancellationToken);
        try
        {
            await Task.Delay(duration, cancellationToken);
        }
        finally
        {
            await app.ExecuteCommandAsync(instance, KnownResourceCommands.StartCommand, CancellationToken.None);
        }

        return $"{instance} stopped for {duration.TotalSeconds:0} s, then started";
    }

    // The mock cluster's brokers go down and up over its control endpoint (librdkafka's own broker-down API).
    private async Task<string> BrokersDownAsync(int[] brokers, TimeSpan duration, CancellationToken cancellationToken)
    {
        await SetBrokersAsync(brokers, "down");
        try
        {
            await Task.Delay(duration, cancellationToken);
        }
        finally
        {
            await SetBrokersAsync(brokers, "up");
        }

        return $"broker{(brokers.Length > 1 ? "s" : "")} {string.Join(", ", brokers)} down for {duration.TotalSeconds:0} s";
    }

    private async Task SetBrokersAsync(int[] brokers, string state)
    {
        foreach (var broker in brokers)
        {
            using var response = await http.PostAsync(new Uri(app.GetEndpoint("kafka"), $"/brokers/{broker}/{state}"), null);
            response.EnsureSuccessStatusCode();
        }
    }

    // The stand-in's fault switches (POST /faults), then all of them off again.
    private async Task<string> ProviderAsync(object faults, string what, TimeSpan duration, CancellationToken cancellationToken)
    {
        await SetProviderFaultsAsync(faults);
        try
        {
            await Task.Delay(duration, cancellationToken);
        }
        finally
        {
            await SetProviderFaultsAsync(new { });
        }

        return $"the provider: {what}, for {duration.TotalSeconds:0} s";
    }

    public async Task SetProviderFaultsAsync(object faults)
    {
        using var response = await http.PostAsJsonAsync(new Uri(app.GetEndpoint("thirdparty"), "/faults"), faults);
        response.EnsureSuccessStatusCode();
    }

    // A third worker joins the group (its partitions are taken from the others), works, and leaves on SIGTERM. It is
    // held until the group has given it partitions (a group busy with the kills' rebalances may take a while), so
    // partitions really move both ways.
    private async Task<string> RebalanceAsync(TimeSpan hold, CancellationToken cancellationToken)
    {
        var started = DateTime.UtcNow;
        await using var third = await ExtraReplica.StartAsync(app, "worker", "worker-2");
        processes.Add("worker-2", third.ProcessId);
        var healthy = DateTime.UtcNow - started;
        var assigned = await third.WaitForOutputAsync(TookPartitions, TimeSpan.FromSeconds(60), cancellationToken);
        var joined = DateTime.UtcNow - started;
        await Task.Delay(hold, cancellationToken);
        await third.StopAsync();
        return $"worker-2 started (healthy in {healthy.TotalSeconds:0.0} s, "
            + (assigned ? $"given partitions in {joined.TotalSeconds:0.0} s" : "given no partitions within 60 s")
            + $"), ran {hold.TotalSeconds:0} s more, stopped with SIGTERM";
    }

    // JobConsumer's log line when the group gives it partitions: "Assigned 6 more partitions".
    private static bool TookPartitions(string line) =>
        line.Contains(" more partitions", StringComparison.Ordinal) && !line.Contains("Assigned 0 more", StringComparison.Ordinal);

    private CustomResourceSnapshot? Snapshot(string instance) =>
        app.ResourceNotifications.TryGetCurrentState(instance, out var current) ? current.Snapshot : null;

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);
}
