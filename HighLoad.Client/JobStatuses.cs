namespace HighLoad.Client;

/// <summary>The values of a job's <c>status</c> (the document types it as a plain string).</summary>
public static class JobStatuses
{
    /// <summary>Accepted and waiting for a worker, or waiting to be tried again.</summary>
    public const string Queued = "queued";

    /// <summary>A worker is calling the provider for it.</summary>
    public const string Processing = "processing";

    /// <summary>Done; <c>result</c> has the answer.</summary>
    public const string Succeeded = "succeeded";

    /// <summary>Given up on; <c>error</c> says why.</summary>
    public const string Failed = "failed";
}
