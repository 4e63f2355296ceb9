using HighLoad.Hosting.ApplicationModel;
using HighLoad.ThirdParty;

namespace HighLoad.Hosting;

// Production waits minutes between a job's retry rounds and plans by the provider's real limits. A run of minutes
// (the tests, the chaos run) scales both down, so every fault it injects is over, and every job done, in seconds:
// the same app model, adjusted with the builder methods Program.cs uses before it is built.
public static class ShortRuns
{
    public static void ScaleForShortRuns(this IDistributedApplicationBuilder builder, int providerPerMinute, TimeSpan maxOutageWait)
    {
        var thirdParty = builder.Resources.OfType<ThirdPartyResource>().Single(r => r.Name == "thirdparty");
        (thirdParty.PerMinute, thirdParty.PerHour, thirdParty.PerDay) = (providerPerMinute, providerPerMinute * 60, providerPerMinute * 60 * 24);

        builder.CreateResourceBuilder(builder.Resources.OfType<ProjectResource>().Single(r => r.Name == "worker"))
            .WithEnvironment("Jobs__FirstRetryDelay", "00:00:02")
            .WithEnvironment("Jobs__SecondRetryDelay", "00:00:03")
            .WithEnvironment("Provider__Calls__AttemptTimeout", "00:00:03")
            .WithEnvironment("Provider__Calls__RetryBaseDelay", "00:00:00.050")
            .WithEnvironment("Provider__Calls__BreakDuration", "00:00:02")
            .WithEnvironment("Provider__Calls__MaxRetryAfter", "00:00:01")
            .WithEnvironment("Provider__Calls__MaxOutageWait", maxOutageWait.ToString("c"));
    }
}
