using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using HighLoad.Tests.Infrastructure;
using Json.Schema;

namespace HighLoad.Tests.Deploy;

// The AppHost's --publisher manifest, run as a person (or ./publish.sh) runs it: the manifest it writes is Aspire's
// format by the schema kept in deploy/schema/, every expression in it names something that exists, and the copy
// committed in deploy/ is what the app model writes today.
public sealed partial class AspireManifestTests
{
    private static readonly Lazy<Task<string>> Published = new(PublishAsync);

    [Fact]
    public async Task TheManifestTheAppHostWritesPassesTheSchema()
    {
        var manifest = JsonNode.Parse(await Published.Value)!;

        var result = Schema.Evaluate(JsonSerializer.SerializeToElement(manifest), new EvaluationOptions { OutputFormat = OutputFormat.List });

        Assert.True(result.IsValid, Describe(result));
        var resources = manifest["resources"]!.AsObject();
        Assert.Equal("project.v0", resources["api"]!["type"]!.GetValue<string>());
        Assert.Equal("container.v1", resources["pg"]!["type"]!.GetValue<string>());
        Assert.Equal("value.v0", resources["db"]!["type"]!.GetValue<string>());
        Assert.Equal("parameter.v0", resources["job-id-key"]!["type"]!.GetValue<string>());
        Assert.Equal("{db.connectionString}", resources["api"]!["env"]!["ConnectionStrings__db"]!.GetValue<string>());
        Assert.Equal("{thirdparty.bindings.http.url}", resources["worker"]!["env"]!["services__thirdparty__http__0"]!.GetValue<string>());
    }

    [Fact]
    public async Task TheSchemaRefusesAManifestAspiresToolsCouldNotRead()
    {
        var manifest = JsonNode.Parse(await Published.Value)!;
        manifest["resources"]!["pg"]!.AsObject().Remove("image");
        manifest["resources"]!["api"]!["bindings"]!["http"]!["transport"] = "carrier-pigeon";
        manifest["resources"]!["redis"]!["replicas"] = 3;

        var result = Schema.Evaluate(JsonSerializer.SerializeToElement(manifest), new EvaluationOptions { OutputFormat = OutputFormat.List });

        Assert.False(result.IsValid);
    }

    [Fact]
    public async Task EveryExpressionNamesAResourceAndAPropertyItHas()
    {
        var resources = JsonNode.Parse(await Published.Value)!["resources"]!.AsObject();
        var text = await Published.Value;

        var expressions = Expression().Matches(text).Select(m => m.Value).Distinct().ToList();

        Assert.NotEmpty(expressions);
        foreach (var expression in expressions)
        {
            var parts = expression.Trim('{', '}').Split('.');
            var resource = resources[parts[0]] ?? throw new Xunit.Sdk.XunitException($"{expression} names no resource.");
            var found = parts[1..] switch
            {
                ["connectionString"] => resource["connectionString"] is not null,
                ["value"] or ["inputs", "value"] => resource["type"]!.GetValue<string>() == "parameter.v0",
                ["bindings", var binding, "host" or "port" or "targetPort" or "url"] => resource["bindings"]?[binding] is not null,
                _ => false,
            };
            Assert.True(found, $"{expression}: {parts[0]} has no such {string.Join('.', parts[1..])}");
        }

        // Nothing of this machine leaks into what a deployment reads: no loopback address, no local port or folder.
        Assert.DoesNotContain("127.0.0.1", text);
        Assert.DoesNotContain(".highload", text);
        Assert.DoesNotContain(Repository.Root, text);
    }

    [Fact]
    public async Task TheCommittedManifestIsWhatTheAppModelWritesToday()
    {
        var committed = await File.ReadAllTextAsync(Repository.PathTo("deploy", "aspire-manifest.json"));

        Assert.True(committed == await Published.Value,
            "deploy/aspire-manifest.json is not what the AppHost writes now: run ./publish.sh and commit deploy/.");
    }

    private static JsonSchema Schema { get; } = JsonSchema.FromFile(Repository.PathTo("deploy", "schema", "aspire-manifest.schema.json"));

    // Beside the committed one, so the paths in it (relative to the manifest) are the same.
    private static async Task<string> PublishAsync()
    {
        var path = Repository.PathTo("deploy", $"aspire-manifest.{Guid.NewGuid():N}.json");
        try
        {
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "HighLoad.AppHost.dll"), "--publisher", "manifest", "--output-path", path })
            {
                start.ArgumentList.Add(arg);
            }

            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
            Assert.True(process.ExitCode == 0, $"the AppHost's publisher exited {process.ExitCode}: {await output}{await error}");
            return await File.ReadAllTextAsync(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static string Describe(EvaluationResults result) =>
        string.Join(Environment.NewLine, (result.Details ?? []).Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}")));

    [GeneratedRegex(@"\{[a-zA-Z][a-zA-Z0-9-]*(\.[a-zA-Z0-9-]+)+\}")]
    private static partial Regex Expression();
}
