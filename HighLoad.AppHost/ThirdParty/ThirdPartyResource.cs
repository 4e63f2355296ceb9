using HighLoad.Hosting;
using HighLoad.Hosting.ApplicationModel;

namespace HighLoad.ThirdParty;

// The stand-in for the rate-limited external provider: a project of its own (HighLoad.ThirdParty). Services that
// reference it are told its limits (Provider__PerMinute, __PerHour, __PerDay), as production configures them.
public sealed class ThirdPartyResource(string name) : ProjectResource(name)
{
    // The provider's published limits (seed 001: 1,000 a minute, 50,000 an hour, 500,000 a day).
    public int PerMinute { get; set; } = 1_000;

    public int PerHour { get; set; } = 50_000;

    public int PerDay { get; set; } = 500_000;
}

public static class ThirdPartyBuilderExtensions
{
    public static IResourceBuilder<ThirdPartyResource> AddThirdPartySimulator(this IDistributedApplicationBuilder builder, string name, int? port = null)
    {
        var standIn = new ThirdPartyResource(name);
        standIn.Annotations.Add(new ReferenceEnvironmentAnnotation(context => AddLimits(context.EnvironmentVariables, standIn)));
        return builder.AddResource(standIn)
            .AsProject<ThirdPartyResource, Projects.HighLoad_ThirdParty>(port)
            .WithEnvironment(context =>
            {
                AddLimits(context.EnvironmentVariables, standIn);
                return Task.CompletedTask;
            });
    }

    // For a service that plans by the provider's limits but never calls it (the API estimates waits from them): the
    // limits without the address, so nothing deployed lets it reach the provider.
    public static IResourceBuilder<T> WithProviderLimits<T>(this IResourceBuilder<T> builder, IResourceBuilder<ThirdPartyResource> provider)
        where T : IResourceWithEnvironment =>
        builder.WithEnvironment(context =>
        {
            AddLimits(context.EnvironmentVariables, provider.Resource);
            return Task.CompletedTask;
        });

    public static IResourceBuilder<ThirdPartyResource> WithLimits(this IResourceBuilder<ThirdPartyResource> builder, int perMinute, int perHour, int perDay)
    {
        builder.Resource.PerMinute = perMinute;
        builder.Resource.PerHour = perHour;
        builder.Resource.PerDay = perDay;
        return builder;
    }

    private static void AddLimits(IDictionary<string, object> env, ThirdPartyResource limits)
    {
        env["Provider__PerMinute"] = limits.PerMinute.ToString();
        env["Provider__PerHour"] = limits.PerHour.ToString();
        env["Provider__PerDay"] = limits.PerDay.ToString();
    }
}
