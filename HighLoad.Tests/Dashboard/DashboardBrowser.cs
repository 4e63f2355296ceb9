using HighLoad.Hosting;
using HighLoad.Hosting.ApplicationModel;
using HighLoad.Tests.Infrastructure;
using Microsoft.Playwright;

namespace HighLoad.Tests.Dashboard;

// Headless Chromium from Debian's package, driven by Playwright (which cannot download a browser here).
public sealed class DashboardBrowser : IAsyncDisposable
{
    private readonly IPlaywright _playwright;

    private DashboardBrowser(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        Browser = browser;
    }

    public IBrowser Browser { get; }

    public static async Task<DashboardBrowser> LaunchAsync()
    {
        // Expectations poll until they hold; Playwright's 5 s is short for Chromium beside the whole system on two
        // loaded cores. A page that never shows what is expected still fails.
        Assertions.SetDefaultExpectTimeout(15_000);
        var playwright = await Playwright.CreateAsync();
        return new DashboardBrowser(playwright, await playwright.Chromium.LaunchAsync(new() { ExecutablePath = "/usr/bin/chromium", Headless = true }));
    }

    // An HttpClient that has logged in with the browser token, as the printed link does: for the dashboard's JSON exports.
    public static async Task<HttpClient> LoggedInHttpClientAsync(DashboardResource dashboard)
    {
        var http = new HttpClient(new HttpClientHandler { CookieContainer = new() }) { BaseAddress = new Uri(dashboard.GetEndpoint("http").Url + "/") };
        (await http.GetAsync($"login?t={dashboard.BrowserToken.Value}")).EnsureSuccessStatusCode();
        return http;
    }

    // Into the test results (beside the state folder test.sh names); with HIGHLOAD_UPDATE_SCREENSHOTS=1, also one per
    // page into docs/screenshots for the README (not on every run: a test run should not change the checkout).
    public static async Task ScreenshotAsync(IPage page, string name, string prefix = "dashboard", bool fullPage = true)
    {
        var results = Path.Combine(Environment.GetEnvironmentVariable("HIGHLOAD_TEST_STATE_DIR") ?? AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(results);
        var path = Path.Combine(results, $"{prefix}-{name}.png");
        await page.ScreenshotAsync(new() { Path = path, FullPage = fullPage });
        if (Environment.GetEnvironmentVariable("HIGHLOAD_UPDATE_SCREENSHOTS") == "1" && Repository.Root is { } root)
        {
            Directory.CreateDirectory(Path.Combine(root, "docs", "screenshots"));
            File.Copy(path, Path.Combine(root, "docs", "screenshots", $"{prefix}-{name}.png"), overwrite: true);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright.Dispose();
    }
}
