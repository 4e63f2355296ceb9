using System.Net.Http.Json;
using System.Text.Json;
using HighLoad.Hosting;
using HighLoad.Hosting.Testing;
using HighLoad.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace HighLoad.Tests.Dashboard;

// What Aspire's dashboard forgets and this one keeps: telemetry received before the AppHost (and with it the
// dashboard) stopped is still listed after the next start on the same state folder. A small model: the dashboard
// and the provider stand-in, which exports its own spans and logs.
public sealed class TelemetryAcrossRestartsTests : IDisposable
{
    private readonly string _state = Path.Combine(Path.GetTempPath(), $"highload-telemetry-{Guid.NewGuid():N}");

    [Fact]
    public async Task ATraceRecordedBeforeAnAppHostRestartIsStillListedAfterIt()
    {
        string traceId;
        await using (var first = await StartAsync())
        {
            using var http = new HttpClient();
            (await http.GetAsync(new Uri(first.GetEndpoint("thirdparty"), "/stats"))).EnsureSuccessStatusCode();
            using var dashboard = await DashboardBrowser.LoggedInHttpClientAsync(first.GetResource<DashboardResource>("dashboard"));
            string? found = null;
            await HighLoadAppFixture.Eventually(async () =>
            {
                var traces = await dashboard.GetFromJsonAsync<JsonElement>("api/telemetry/traces?text=/stats");
                found = traces.GetArrayLength() > 0 ? traces[0].GetProperty("traceId").GetString() : null;
                return found is not null;
            }, TimeSpan.FromSeconds(30), "the stand-in's span of GET /stats reached the dashboard");
            traceId = found!;
        }

        await using var second = await StartAsync();
        await using var browser = await DashboardBrowser.LaunchAsync();
        var page = await browser.Browser.NewPageAsync();
        await page.GotoAsync(second.GetResource<DashboardResource>("dashboard").LoginUrl);
        await page.GotoAsync($"{second.GetEndpoint("dashboard")}traces");
        await Expect(page.Locator($"table.traces tr[data-trace='{traceId}']")).ToBeVisibleAsync();

        // The stand-in's own log, as a structured record on its page: found by text, hidden by a level above it.
        await page.GotoAsync($"{second.GetEndpoint("dashboard")}structuredlogs");
        await page.Locator("input[type=search]").FillAsync("Simulated provider");
        var record = page.Locator("table.logs tr.log[data-resource='thirdparty']").First;
        await Expect(record).ToBeVisibleAsync();
        await Expect(record.Locator("td.level")).ToHaveTextAsync("Information");
        await page.Locator("select[aria-label='Minimum level']").SelectOptionAsync("Warning");
        await Expect(page.Locator("table.logs tr.log")).ToHaveCountAsync(0);

        // The search finds every word, in any order, wherever it is in the record; a phrase only as written.
        await page.Locator("select[aria-label='Minimum level']").SelectOptionAsync("Unspecified");
        await page.Locator("input[type=search]").FillAsync("limits provider");
        await Expect(record).ToBeVisibleAsync();
        await page.Locator("input[type=search]").FillAsync("\"limits provider\"");
        await Expect(page.Locator("table.logs tr.log")).ToHaveCountAsync(0);

        // Both lists export as CSV, one row per record, filtered as on the page.
        using var exports = await DashboardBrowser.LoggedInHttpClientAsync(second.GetResource<DashboardResource>("dashboard"));
        using var logs = await exports.GetAsync("api/telemetry/logs?format=csv&text=Simulated%20provider");
        Assert.Equal("text/csv", logs.Content.Headers.ContentType?.MediaType);
        var logLines = (await logs.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("Time,Level,Resource,Instance,Category,Message", logLines[0]);
        Assert.Contains(logLines.Skip(1), line => line.Contains(",Information,thirdparty,", StringComparison.Ordinal));
        var traces = await exports.GetStringAsync("api/telemetry/traces?format=csv&text=/stats");
        Assert.Contains(traceId, traces);

        // Paused, the list holds still while spans arrive; resumed, it catches up. Cleared, it is empty, and stays so.
        await page.GotoAsync($"{second.GetEndpoint("dashboard")}traces");
        await page.Locator("button.clear").ClickAsync();
        await Expect(page.Locator("table.traces tr.trace")).ToHaveCountAsync(0);
        await page.Locator("button.pause").ClickAsync();
        await Expect(page.Locator("button.pause")).ToHaveTextAsync("Resume");
        using (var provider = new HttpClient())
        {
            (await provider.GetAsync(new Uri(second.GetEndpoint("thirdparty"), "/stats"))).EnsureSuccessStatusCode();
        }

        await HighLoadAppFixture.Eventually(async () => (await exports.GetFromJsonAsync<JsonElement>("api/telemetry/traces?text=/stats")).GetArrayLength() == 1,
            TimeSpan.FromSeconds(30), "the new GET /stats span reached the dashboard");
        await Expect(page.Locator("table.traces tr.trace")).ToHaveCountAsync(0);
        await page.Locator("button.pause").ClickAsync();
        await Expect(page.Locator("table.traces tr.trace")).ToHaveCountAsync(1);
        Assert.DoesNotContain(traceId, await exports.GetStringAsync("api/telemetry/traces?format=csv"));
    }

    private async Task<DistributedApplication> StartAsync()
    {
        var builder = DistributedApplication.CreateBuilder(new DistributedApplicationOptions
        {
            StateDirectory = _state,
            DynamicPorts = true,
            EchoResourceOutput = false,
        });
        builder.AddDashboard<Projects.HighLoad_Dashboard>("dashboard").WithOtlpIntake();
        builder.AddProject<Projects.HighLoad_ThirdParty>("thirdparty");
        var app = builder.Build();
        await app.StartAsync();
        return app;
    }

    public void Dispose()
    {
        if (Directory.Exists(_state))
        {
            Directory.Delete(_state, recursive: true);
        }
    }
}
