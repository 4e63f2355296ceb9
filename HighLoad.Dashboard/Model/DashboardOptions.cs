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
public sealed class ResourceServiceClientOptions
{
    public const string Section = "Dashboard:ResourceServiceClient";

    [Required]
    public Uri? Url { get; set; }

    [Required]
    public string ApiKey { get; set; } = "";
}
