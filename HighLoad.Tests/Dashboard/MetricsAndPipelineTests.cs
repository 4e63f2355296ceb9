using System.Text.RegularExpressions;
using HighLoad.Hosting;
using HighLoad.Hosting.ApplicationModel;
using HighLoad.Hosting.Testing;
using HighLoad.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace HighLoad.Tests.Dashboard;

// The whole system's meters on the dashboard: the Metrics page charts an instrument a person picks, and the Pipeline
// page puts the job pipeline's figures on one screen, both from what the replicas export over OTLP.
[Collection(HighLoadAppCollection.Name)]
public sealed class MetricsAndPipelineTests(HighLoadAppFixture fixture)
{
    private static readonly Regex SomePoints = new("^[1-9][0-9]*$");
    private static readonly Regex ANumber = new("^[0-9][0-9,.]*");

    // The whole system on the Resources page: every process Running (the migrations Finished), and the Restart button
    // restarts worker-0 as the app model's command, the page following its new PID and restart count.
    [Fact]
    public async Task EveryResourceShowsRunningAndTheRestartButtonRestartsWorker0()
    {
        var dashboard = fixture.App.GetResource<DashboardResource>("dashboard");
        await using var browser = await DashboardBrowser.LaunchAsync();
        var page = await browser.Browser.NewPageAsync(new() { ViewportSize = new() { Width = 1400, Height = 900 } });
        await page.GotoAsync(dashboard.LoginUrl);

        foreach (var id in new[] { "dashboard", "pg", "pg-replica", "pgbouncer", "redis", "kafka", "thirdparty", "api-0", "api-1", "worker-0", "worker-1", "lb" })
        {
            await Expect(page.Locator($"tr[data-resource='{id}'] td.state")).ToHaveTextAsync("Running");
        }

        await Expect(page.Locator("tr[data-resource='migrations'] td.state")).ToHaveTextAsync("Finished");

        var before = Snapshot("worker-0");
        var worker = page.Locator("tr[data-resource='worker-0']");
        await worker.Locator("button[data-command='resource-restart']").ClickAsync();
        await Expect(worker.Locator("td.restarts")).ToHaveTextAsync($"{before.RestartCount + 1}", new() { Timeout = 60_000 });
        await fixture.App.ResourceNotifications.WaitForResourceHealthyAsync("worker-0").WaitAsync(TimeSpan.FromSeconds(90));
        var after = Snapshot("worker-0");
        Assert.NotEqual(before.Pid, after.Pid);
        await Expect(worker.Locator("td.pid")).ToHaveTextAsync($"{after.Pid}");
        await Expect(worker.Locator("td.state")).ToHaveTextAsync("Running");
    }

    [Fact]
    public async Task TheMetricsChartHasPointsAndThePipelinePageShowsTheJobsFigures()
    {
        using var client = await ApiClients.CreateAsync(fixture, "development");
        var ids = await JobDriver.SubmitAsync(client, ["a job to measure", "another job to measure"]);
        await new JobDriver(fixture).WaitForFinishedAsync(ids, TimeSpan.FromSeconds(60));

        var dashboard = fixture.App.GetResource<DashboardResource>("dashboard");
        var url = dashboard.GetEndpoint("http").Url;
        await using var browser = await DashboardBrowser.LaunchAsync();
        var page = await browser.Browser.NewPageAsync(new() { ViewportSize = new() { Width = 1400, Height = 900 } });
        await page.GotoAsync(dashboard.LoginUrl);

        // The API's request durations: p50/p90/p99 and the request rate, drawn by the chart library.
        await page.GotoAsync($"{url}/metrics?resource=api-0&instrument=http.server.request.duration");
        var chart = page.Locator("div.chart[data-instrument='http.server.request.duration']");
        await Expect(chart).ToHaveAttributeAsync("data-points", SomePoints, new() { Timeout = 30_000 });
        await Expect(chart.Locator("canvas")).ToHaveCountAsync(1);
        await Expect(page.Locator("table.latest td", new() { HasText = "p99" })).ToBeVisibleAsync();
        await Expect(page.Locator("div.chart[data-instrument='http.server.request.duration count']")).ToHaveAttributeAsync("data-points", SomePoints);

        // Narrowed to the jobs route by its dimension: still points, now of that route alone.
        var route = page.Locator("select[aria-label='http.route']");
        var jobsRoute = await route.Locator("option").Filter(new() { HasText = "jobs" }).First.GetAttributeAsync("value");
        await route.SelectOptionAsync(jobsRoute!);
        await Expect(chart).ToHaveAttributeAsync("data-points", SomePoints);
        await DashboardBrowser.ScreenshotAsync(page, "metrics");

        // A worker's own meter is listed under its meter and charted when picked. (A gauge every worker reports from
        // its start: which worker completed the two jobs above depends on their partitions.)
        await page.GotoAsync($"{url}/metrics?resource=worker-0");
        await page.Locator("aside.instruments a.instrument", new() { HasText = "highload.provider.breaker.open" }).ClickAsync();
        await Expect(page.Locator("div.chart[data-instrument='highload.provider.breaker.open']")).ToHaveAttributeAsync("data-points", SomePoints, new() { Timeout = 30_000 });

        // The pipeline on one screen: the jobs just done, every topic's lag, each worker's breaker, the provider's
        // windows against their limits and the database's connections against PgBouncer's cap.
        await page.GotoAsync($"{url}/pipeline");
        await Expect(page.Locator("div.chart[data-instrument='throughput']")).ToHaveAttributeAsync("data-points", SomePoints, new() { Timeout = 30_000 });
        await Expect(page.Locator("[data-figure='backlog']")).ToHaveTextAsync(ANumber);
        await Expect(page.Locator("tr[data-topic='jobs.requested'] td.value")).ToHaveTextAsync(ANumber);
        foreach (var worker in new[] { "worker-0", "worker-1" })
        {
            await Expect(page.Locator($"tr[data-replica='{worker}'] td.value")).ToHaveTextAsync("closed");
        }

        // The limits the fixture gives the provider stand-in, each window against its own.
        await Expect(page.Locator(".gauge[data-window='minute'] .limit")).ToHaveTextAsync($"{HighLoadAppFixture.ProviderPerMinute:N0}");
        var hour = page.Locator(".gauge[data-window='hour']");
        await Expect(hour.Locator(".limit")).ToHaveTextAsync($"{HighLoadAppFixture.ProviderPerMinute * 60:N0}");
        await Expect(hour.Locator(".used")).ToHaveTextAsync(new Regex("^[1-9]"));
        var connections = page.Locator(".gauge[data-figure='connections']");
        await Expect(connections.Locator(".limit")).ToHaveTextAsync("100");
        await Expect(connections.Locator(".used")).ToHaveTextAsync(new Regex("^[1-9]"));
        await DashboardBrowser.ScreenshotAsync(page, "pipeline");
    }

    private CustomResourceSnapshot Snapshot(string id) =>
        fixture.App.ResourceNotifications.TryGetCurrentState(id, out var current) ? current.Snapshot : throw new InvalidOperationException(id);
}
