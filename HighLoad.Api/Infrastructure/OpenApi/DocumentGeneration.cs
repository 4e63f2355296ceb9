using System.Reflection;

namespace HighLoad.Api.Infrastructure.OpenApi;

// The build writes openapi/HighLoad.Api.json by running this app's start-up in Microsoft.Extensions.ApiDescription.Server's
// GetDocument.Insider, which starts the host with a server that never listens. That run gets placeholders for the
// settings the AppHost would pass (connection strings that point nowhere, a signing key), so that start-up and its
// ValidateOnStart checks pass there, and no hosted service but the web host's own (it builds the pipeline, and so
// the endpoints the document describes): nothing tries to reach a store. A real start never sees either, and its
// checks are unchanged.
public static class DocumentGeneration
{
    public static bool IsRunning { get; } = Assembly.GetEntryAssembly()?.GetName().Name == "GetDocument.Insider";

    public static void Prepare(IHostApplicationBuilder builder)
    {
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:db"] = "Host=openapi.invalid",
            ["ConnectionStrings:db-replica"] = "Host=openapi.invalid",
            ["ConnectionStrings:redis"] = "openapi.invalid:6379",
            ["ConnectionStrings:kafka"] = "openapi.invalid:9092",
            ["Jobs:Intake:IdSigningKey"] = "openapi-document-generation",
        });
        builder.ConfigureContainer(new WithoutHostedServices());
    }

    // Applied to the finished service collection, so it catches hosted services registered after this call too.
    private sealed class WithoutHostedServices : IServiceProviderFactory<IServiceCollection>
    {
        public IServiceCollection CreateBuilder(IServiceCollection services)
        {
            var others = services.Where(s => s.ServiceType == typeof(IHostedService)
                                             && s.ImplementationType?.FullName != "Microsoft.AspNetCore.Hosting.GenericWebHostService").ToList();
            foreach (var service in others)
            {
                services.Remove(service);
            }

            return services;
        }

        public IServiceProvider CreateServiceProvider(IServiceCollection containerBuilder) => containerBuilder.BuildServiceProvider();
    }
}
