namespace HighLoad.Hosting.ApplicationModel;

public enum DistributedApplicationOperation
{
    // ./run.sh: start every resource on this machine.
    Run,

    // --publisher manifest: describe every resource for a deployment tool; nothing starts, no port is allocated.
    Publish,
}

// As Aspire's: callbacks that add environment or arguments ask it which of the two they serve, because a value that
// names a local port when running names a binding expression ({api.bindings.http.url}) when publishing.
public sealed record DistributedApplicationExecutionContext(DistributedApplicationOperation Operation)
{
    public static readonly DistributedApplicationExecutionContext Running = new(DistributedApplicationOperation.Run);

    public static readonly DistributedApplicationExecutionContext Publishing = new(DistributedApplicationOperation.Publish);

    public bool IsRunMode => Operation == DistributedApplicationOperation.Run;

    public bool IsPublishMode => Operation == DistributedApplicationOperation.Publish;
}

// A value the manifest writes as an expression that a deployment tool resolves: "{pg-password.value}",
// "{api.bindings.http.url}", "{db.connectionString}".
public interface IManifestExpressionProvider
{
    string ValueExpression { get; }
}
