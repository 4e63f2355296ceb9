using Microsoft.Extensions.DependencyInjection;

namespace HighLoad.Jobs;

public static class JobPipelineServices
{
    // What the API and the Worker share of the pipeline: the provider's budget (with its validated limits),
    // the token buckets it runs on, and job status in Redis.
    public static IServiceCollection AddJobPipeline(this IServiceCollection services)
    {
        services.AddOptions<ProviderBudgetOptions>().BindConfiguration(ProviderBudgetOptions.Section)
            .Validate(o => o.PerMinute > 0 && o.PerHour > 0 && o.PerDay > 0 && o.BudgetFraction is > 0 and <= 1,
                "Provider limits must be positive and BudgetFraction in (0, 1].")
            .ValidateOnStart();
        services.AddSingleton<TokenBuckets>();
        services.AddSingleton<ProviderBudget>();
        services.AddSingleton<JobStatusStore>();
        return services;
    }
}
