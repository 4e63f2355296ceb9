using System.Text.Json.Serialization;

namespace HighLoad.Client.Generated;

/// <summary>A job's status and, once finished, its result or error.</summary>
public partial record JobView
{
    /// <summary>Succeeded or failed: the status will not change again.</summary>
    [JsonIgnore]
    public bool IsFinished => Status is JobStatuses.Succeeded or JobStatuses.Failed;
}
