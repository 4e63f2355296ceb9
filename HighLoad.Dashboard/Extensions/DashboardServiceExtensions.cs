using HighLoad.Dashboard.Infrastructure;
using HighLoad.Dashboard.Model;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;

namespace HighLoad.Dashboard.Extensions;

public static class DashboardServiceExtensions
{
    public static IHostApplicationBuilder AddDashboardServices(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<FrontendOptions>().BindConfiguration(FrontendOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ResourceServiceClientOptions>().BindConfiguration(ResourceServiceClientOptions.Section).ValidateDataAnnotations().ValidateOnStart();

        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddHealthChecks();

        // One person on this machine: a cookie once the browser token was shown, nothing more (no user accounts).
        services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(cookie =>
            {
                cookie.LoginPath = "/login";
                cookie.Cookie.Name = ".HighLoad.Dashboard";
                cookie.Cookie.SameSite = SameSiteMode.Lax;
                cookie.ExpireTimeSpan = TimeSpan.FromDays(3);
            });
        services.AddAuthorization();

        // Streams stay open as long as a page watches, and a restart command waits for health: no client timeout. Without
        // a resource service the client is never called (ResourceServiceClient.IsConfigured).
        services.AddHttpClient<ResourceServiceClient>((provider, http) =>
        {
            var options = provider.GetRequiredService<IOptions<ResourceServiceClientOptions>>().Value;
            http.BaseAddress = options.Url;
            http.DefaultRequestHeaders.Add(ResourceServiceClient.ApiKeyHeader, options.ApiKey);
            http.Timeout = Timeout.InfiniteTimeSpan;
        });

        return builder;
    }
}
