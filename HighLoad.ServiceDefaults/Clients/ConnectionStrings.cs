using Microsoft.Extensions.Configuration;

namespace Microsoft.Extensions.Hosting;

internal static class ConnectionStrings
{
    // Aspire hands every reference to a service as ConnectionStrings__<name>; a missing one is a wiring mistake.
    public static string Require(IConfiguration configuration, string connectionName) =>
        configuration.GetConnectionString(connectionName) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"Connection string '{connectionName}' is missing. Set ConnectionStrings__{connectionName} " +
                "(the AppHost does this for every WithReference).");
}
