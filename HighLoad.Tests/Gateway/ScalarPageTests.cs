using HighLoad.Tests.Dashboard;
using HighLoad.Tests.Infrastructure;
using Microsoft.Playwright;

namespace HighLoad.Tests.Gateway;

// The API reference a new user opens first (/scalar, in Development), read in headless Chromium: what the committed
// OpenAPI document says must reach the page, or a client written from the page is written blind.
[Collection(HighLoadAppCollection.Name)]
public sealed class ScalarPageTests(HighLoadAppFixture fixture)
{
    [Fact]
    public async Task SubmitJobShowsItsBodyItsAnswersAndTheApiKeyItNeeds()
    {
        await using var browser = await DashboardBrowser.LaunchAsync();
        var page = await browser.Browser.NewPageAsync(new() { ViewportSize = new() { Width = 1400, Height = 1000 } });

        await page.GotoAsync(new Uri(fixture.Endpoint("lb"), "/scalar#tag/jobs/POST/api/v1/jobs").ToString());
        var operation = page.Locator("section[id$='tag/jobs/POST/api/v1/jobs']");
        await Assertions.Expect(operation).ToBeVisibleAsync(new() { Timeout = 30_000 });

        var text = await operation.InnerTextAsync();
        Assert.Contains("SubmitJob", text);                 // the stable operation id
        Assert.Contains("Idempotency", text);               // the request header (the page breaks its name at the hyphen)
        Assert.Contains("SubmitJobRequest", text);          // the body's schema
        Assert.Contains("Auth Required", text);
        Assert.Contains("X-Api-Key", text);                 // in the example request
        foreach (var status in new[] { "202", "400", "401", "409", "413", "415", "422", "429", "503" })
        {
            Assert.Contains(status, text);
        }

        await operation.ScrollIntoViewIfNeededAsync();
        await DashboardBrowser.ScreenshotAsync(page, "submit-job", prefix: "scalar", fullPage: false);
    }
}
