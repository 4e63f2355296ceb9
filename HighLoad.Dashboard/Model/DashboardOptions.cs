using System.ComponentModel.DataAnnotations;

namespace HighLoad.Dashboard.Model;

// Dashboard:Frontend, as Aspire's dashboard names it: the token a person logs in with (printed by the AppHost).
public sealed class FrontendOptions
{
    public const string Section = "Dashboard:Frontend";

    [Required]
    public string BrowserToken { get; set; } = "";
}

// Dashboard:ResourceServiceClient: where the AppHost serves resources, logs and commands, and the key it asks for.
// Both or neither: a dashboard deployed on its own (Kubernetes) has no AppHost and shows telemetry only, as Aspire's
// standalone dashboard does.
public sealed class ResourceServiceClientOptions : IValidatableObject
{
    public const string Section = "Dashboard:ResourceServiceClient";

    public Uri? Url { get; set; }

    public string ApiKey { get; set; } = "";

    public bool IsConfigured => Url is not null;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if ((Url is null) != (ApiKey.Length == 0))
        {
            yield return new ValidationResult($"{Section}: give both Url and ApiKey, or neither.", [nameof(Url), nameof(ApiKey)]);
        }
    }
}
