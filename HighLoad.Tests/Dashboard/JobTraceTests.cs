using System.Net.Http.Json;
using System.Text.Json;
using HighLoad.Hosting;
using HighLoad.Hosting.Testing;
using HighLoad.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace HighLoad.Tests.Dashboard;

// The whole system exporting to the dashboard: a job is one trace, from the API's POST through Kafka to the worker,
// the provider call (as the stand-in saw it) and the database write; listed on the Traces page and exported as JSON.
[Collection(HighLoadAppCollection.Name)]
public sealed class JobTraceTests(HighLoadAppFixture fixture)
{
    [Fact]
    public async Task AJobIsOneTraceFromTheApiThroughKafkaToTheWorkerTheProviderAndTheDatabase()
    {
        using var client = await ApiClients.CreateAsync(fixture, "development");
        var ids = await JobDriver.SubmitAsync(client, ["a job to follow"]);
        var finished = await new JobDriver(fixture).WaitForFinishedAsync(ids, TimeSpan.FromSeconds(60));
        Assert.Equal("succeeded", finished[ids[0]]);

        var dashboard = fixture.App.GetResource<DashboardResource>("dashboard");
        using var http = await DashboardBrowser.LoggedInHttpClientAsync(dashboard);

        // The services export every second; the trace is complete once the stand-in's span and the write are in.
        string? traceId = null;
        JsonElement[] spans = [];
        await HighLoadAppFixture.Eventually(async () =>
        {
            var traces = await http.GetFromJsonAsync<JsonElement>($"api/telemetry/traces?text={ids[0]:N}");
            if (traces.GetArrayLength() != 1)
            {
                return false;
            }

            traceId = traces[0].GetProperty("traceId").GetString();
            var trace = await http.GetFromJsonAsync<JsonElement>($"api/telemetry/traces/{traceId}");
            spans = [.. trace.GetProperty("spans").EnumerateArray()];
            // The worker's "process job" span ends last (after its write), so it can arrive one export later.
            var names = spans.Select(s => s.GetProperty("name").GetString()).ToList();
            return new[] { "api", "worker", "thirdparty" }.All(r => spans.Any(s => ResourceOf(s) == r))
                && spans.Any(s => ResourceOf(s) == "worker" && HasAttribute(s, "db.system"))
                && names.Contains("jobs.requested publish")
                && names.Contains("process job");
        }, TimeSpan.FromSeconds(30), () => $"one trace with the API's publish, the worker's \"process job\", thirdparty's span and a database write; got {string.Join(", ", spans.Select(s => $"{ResourceOf(s)}:{s.GetProperty("name")}"))}");

        // One root: the API's request; every other span hangs under a span of the same trace.
        var spanIds = spans.Select(s => s.GetProperty("spanId").GetString()).ToHashSet();
        var roots = spans.Where(s => s.GetProperty("parentSpanId").GetString() is not { } parent || !spanIds.Contains(parent)).ToList();
        Assert.Equal("api", ResourceOf(Assert.Single(roots)));

        // And a person sees it on the Traces page: the trace listed, its waterfall with a row from each process.
        await using var browser = await DashboardBrowser.LaunchAsync();
        var page = await browser.Browser.NewPageAsync(new() { ViewportSize = new() { Width = 1400, Height = 900 } });
        await page.GotoAsync(dashboard.LoginUrl);
        await page.GotoAsync($"{dashboard.GetEndpoint("http").Url}/traces/{traceId}");
        foreach (var resource in new[] { "api", "worker", "thirdparty" })
        {
            await Expect(page.Locator($"table.waterfall tr.span[data-resource='{resource}']").First).ToBeVisibleAsync();
        }

        // Found in the list by the job's id, as a person would search for it.
        await page.Locator("input[type=search]").FillAsync(ids[0].ToString("N"));
        await Expect(page.Locator($"table.traces tr[data-trace='{traceId}']")).ToBeVisibleAsync();
        await Expect(page.Locator("table.traces tr.trace")).ToHaveCountAsync(1);
        await DashboardBrowser.ScreenshotAsync(page, "traces");

        // Every service's logs arrive as structured records too.
        await page.GotoAsync($"{dashboard.GetEndpoint("http").Url}/structuredlogs");
        foreach (var resource in new[] { "api", "worker" })
        {
            await Expect(page.Locator($"table.logs tr.log[data-resource='{resource}']").First).ToBeVisibleAsync();
        }

        await DashboardBrowser.ScreenshotAsync(page, "structured-logs");
    }

    private static string? ResourceOf(JsonElement span) => span.GetProperty("resource").GetProperty("name").GetString();

    private static bool HasAttribute(JsonElement span, string key) =>
        span.GetProperty("attributes").EnumerateArray().Any(a => a.GetProperty("key").GetString()?.StartsWith(key, StringComparison.Ordinal) == true);
}
