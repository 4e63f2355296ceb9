using System.Text.RegularExpressions;
using HighLoad.Hosting;
using HighLoad.Hosting.ApplicationModel;
using HighLoad.Hosting.Testing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace HighLoad.Tests.Dashboard;

// The dashboard as a person uses it, in headless Chromium: a small model of its own (the dashboard and one shell
// process that prints a numbered line every second), no servers.
public sealed class DashboardBrowserTests : IAsyncLifetime
{
    private readonly string _state = Path.Combine(Path.GetTempPath(), $"highload-dashboard-{Guid.NewGuid():N}");
    private DistributedApplication _app = null!;
    private DashboardBrowser _browser = null!;

    public async Task InitializeAsync()
    {
        var builder = DistributedApplication.CreateBuilder(new DistributedApplicationOptions
        {
            StateDirectory = _state,
            DynamicPorts = true,
            EchoResourceOutput = false,
        });
        builder.AddDashboard<Projects.HighLoad_Dashboard>("dashboard");
        builder.AddExecutable("ticker", "/bin/sh", Path.GetTempPath(), "-c",
            "i=0; while true; do i=$((i+1)); printf '\\033[32mtick\\033[0m %s-%s\\n' $$ $i; sleep 1; done");
        _app = builder.Build();
        await _app.StartAsync();

        _browser = await DashboardBrowser.LaunchAsync();
    }

    [Fact]
    public async Task WithoutTheTokenEveryPageAsksForIt()
    {
        var page = await _browser.Browser.NewPageAsync();
        await page.GotoAsync(_app.GetEndpoint("dashboard").ToString());
        await Expect(page).ToHaveURLAsync(new Regex("/login"));
        await Expect(page.Locator("input[name=t]")).ToBeVisibleAsync();

        await page.GotoAsync($"{_app.GetEndpoint("dashboard")}login?t=not-the-token");
        await Expect(page.Locator(".error")).ToContainTextAsync("not this dashboard's");
        await Expect(page.Locator("table.resources")).ToHaveCountAsync(0);

        // Nor does the AppHost's resource service answer without the key the dashboard was given.
        using var http = new HttpClient();
        using var response = await http.GetAsync(new Uri(_app.GetResource<DashboardResource>("dashboard").ResourceServiceUrl!, "resources"));
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task ResourcesShowRunningRestartWorksAndConsoleLinesArriveLive()
    {
        var page = await _browser.Browser.NewPageAsync(new() { ViewportSize = new() { Width = 1400, Height = 800 } });
        await page.GotoAsync(_app.GetResource<DashboardResource>("dashboard").LoginUrl);

        var ticker = page.Locator("tr[data-resource='ticker']");
        await Expect(ticker.Locator("td.state")).ToHaveTextAsync("Running");
        var firstPid = Snapshot("ticker").Pid!.Value;
        await Expect(ticker.Locator("td.pid")).ToHaveTextAsync(firstPid.ToString());
        await Expect(page.Locator("tr[data-resource='dashboard'] td.state")).ToHaveTextAsync("Running");

        // The dashboard's own environment holds its secrets: masked until asked for.
        await page.Locator("tr[data-resource='dashboard'] button", new() { HasText = "Environment" }).ClickAsync();
        await Expect(page.Locator("tr.details td.env-value.masked")).ToHaveCountAsync(2);
        await Expect(page.Locator("tr.details")).Not.ToContainTextAsync(_app.GetResource<DashboardResource>("dashboard").BrowserToken.Value);
        await DashboardBrowser.ScreenshotAsync(page, "resources");

        await ticker.Locator("button[data-command='resource-restart']").ClickAsync();
        await Expect(ticker.Locator("td.pid")).Not.ToHaveTextAsync(firstPid.ToString(), new() { Timeout = 20_000 });
        await Expect(ticker.Locator("td.state")).ToHaveTextAsync("Running", new() { Timeout = 20_000 });
        var restarted = Snapshot("ticker");
        Assert.NotEqual(firstPid, restarted.Pid);
        Assert.False(Directory.Exists($"/proc/{firstPid}"), "the restart stopped the first process");
        await Expect(ticker.Locator("td.pid")).ToHaveTextAsync(restarted.Pid!.ToString()!);
        Assert.Equal(1, restarted.RestartCount);
        await Expect(ticker.Locator("td.restarts")).ToHaveTextAsync("1");

        await ticker.Locator("a", new() { HasText = "Console" }).ClickAsync();
        var lines = page.Locator(".console .line .content");
        await Expect(lines.Filter(new() { HasTextRegex = new Regex($@"tick {restarted.Pid}-\d+\b") }).First).ToBeVisibleAsync();

        // A line the process prints after the page showed its backlog appears without a reload.
        var shown = LastTick(restarted.Pid!.Value);
        await Expect(lines.Filter(new() { HasTextRegex = new Regex($@"tick {restarted.Pid}-{shown + 2}\b") }))
            .ToHaveCountAsync(1, new() { Timeout = 10_000 });
        // Colours are kept: the ANSI green of "tick" is a class, and no escape character reaches the page.
        await Expect(lines.Last.Locator("span.ansi-fg-2")).ToHaveTextAsync("tick");
        Assert.DoesNotContain("\u001b", await lines.Last.InnerTextAsync());
        await DashboardBrowser.ScreenshotAsync(page, "console-logs");

        // Download as text: the same lines, escapes stripped.
        var download = await (await page.APIRequest.GetAsync($"{_app.GetEndpoint("dashboard")}api/consolelogs/ticker")).TextAsync();
        Assert.Contains($"tick {restarted.Pid}-1", download);
        Assert.DoesNotContain("\u001b", download);

        await page.Locator("label", new() { HasText = "All resources" }).ClickAsync();
        await Expect(page.Locator(".console .line .source", new() { HasText = "dashboard" }).First).ToBeVisibleAsync();
        await Expect(page.Locator(".console .line .source", new() { HasText = "ticker" }).First).ToBeVisibleAsync();
    }

    private CustomResourceSnapshot Snapshot(string id) =>
        _app.ResourceNotifications.TryGetCurrentState(id, out var current) ? current.Snapshot : throw new InvalidOperationException();

    private int LastTick(int pid) => _app.ResourceLoggers.GetBacklog("ticker")
        .Select(l => Regex.Match(l.Content, $@"tick\S* {pid}-(\d+)"))
        .Where(m => m.Success)
        .Select(m => int.Parse(m.Groups[1].Value))
        .DefaultIfEmpty(0)
        .Max();

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        await _app.DisposeAsync();
        if (Directory.Exists(_state))
        {
            Directory.Delete(_state, recursive: true);
        }
    }
}
