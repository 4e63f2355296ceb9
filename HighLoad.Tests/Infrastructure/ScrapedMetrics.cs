using System.Globalization;
using HighLoad.Hosting.ApplicationModel;
using HighLoad.Hosting.Testing;

namespace HighLoad.Tests.Infrastructure;

// What the services serve on /metrics, read as Prometheus scrapes it. Names are the exporter's: dots become
// underscores, counters end in _total, units in braces ({job}) are dropped. A scrape may be up to 300 ms old (the
// exporter caches it), so a reading that must catch up with something just done is polled, not taken once.
public static class ScrapedMetrics
{
    // A metric summed over every replica of a resource (each process counts only its own); 0 where no replica has it yet.
    public static async Task<double> SumAsync(HighLoadAppFixture fixture, string resource, string metric, params string[] labels)
    {
        var total = 0.0;
        for (var replica = 0; replica < fixture.App.GetResource<IResource>(resource).Replicas(); replica++)
        {
            total += await ReadAsync(fixture, resource, replica, metric, labels);
        }

        return total;
    }

    // How much a metric summed over the replicas has grown since a reading: as soon as it has grown by atLeast, else
    // what it has grown by after 10 s. A scrape can be cached, and a worker counts a moment after its row is written.
    public static async Task<double> GrowthAsync(
        HighLoadAppFixture fixture, string resource, string metric, double since, double atLeast, params string[] labels)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            var growth = await SumAsync(fixture, resource, metric, labels) - since;
            if (growth >= atLeast || DateTime.UtcNow > deadline)
            {
                return growth;
            }

            await Task.Delay(200);
        }
    }

    // One replica's samples of a metric whose labels include every one given (server="primary", say), added up.
    public static async Task<double> ReadAsync(HighLoadAppFixture fixture, string resource, int replica, string metric, params string[] labels)
    {
        var scrape = await fixture.Http.GetStringAsync(new Uri(fixture.Endpoint(resource, replica), "/metrics"));
        return scrape.Split('\n')
            .Select(line => Sample(line, metric))
            .OfType<(string Labels, double Value)>()
            .Where(sample => labels.All(label => sample.Labels.Contains(label, StringComparison.Ordinal)))
            .Sum(sample => sample.Value);
    }

    // name{labels} value, or name value; the name exact, so highload_db_server_connections is not its _limit.
    private static (string Labels, double Value)? Sample(string line, string metric)
    {
        if (!line.StartsWith(metric, StringComparison.Ordinal) || line.Length == metric.Length)
        {
            return null;
        }

        var rest = line[metric.Length..];
        var labels = "";
        if (rest[0] == '{')
        {
            var end = rest.IndexOf('}', StringComparison.Ordinal);
            labels = rest[..(end + 1)];
            rest = rest[(end + 1)..];
        }
        else if (rest[0] != ' ')
        {
            return null;
        }

        return (labels, double.Parse(rest.Trim().Split(' ')[0], CultureInfo.InvariantCulture));
    }
}
