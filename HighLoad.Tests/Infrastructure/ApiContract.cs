using System.Collections.Concurrent;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;

namespace HighLoad.Tests.Infrastructure;

// The committed OpenAPI document (HighLoad.Api/openapi/HighLoad.Api.json, written by every build of the Api), read as a
// client generator reads it, and what the integration tests have seen the API answer.
public static class ApiContract
{
    private static readonly Lazy<OpenApiDocument> LazyDocument = new(Load);

    private static readonly ConcurrentDictionary<(string OperationId, int Status), int> Seen = new();

    public static OpenApiDocument Document => LazyDocument.Value;

    // Every answer the tests observed, per operation: how many times each status came back.
    public static IReadOnlyDictionary<(string OperationId, int Status), int> Observed => Seen;

    // The operation a request is for, matched the way routing matches it: a literal segment beats a {parameter}.
    public static OpenApiOperation? Find(HttpMethod method, string path)
    {
        if (!path.StartsWith("/api/", StringComparison.Ordinal))
        {
            return null;
        }

        var segments = path.Split('/');
        return (from template in Document.Paths
                let parts = template.Key.Split('/')
                where parts.Length == segments.Length
                      && parts.Zip(segments).All(p => p.First.StartsWith('{') || string.Equals(p.First, p.Second, StringComparison.OrdinalIgnoreCase))
                let operation = template.Value.Operations?.GetValueOrDefault(method)
                where operation is not null
                orderby parts.Count(p => p.StartsWith('{'))
                select operation).FirstOrDefault();
    }

    // Records an answer, and fails the test that saw it when the document does not list that status for the operation.
    public static void Check(HttpResponseMessage response)
    {
        var request = response.RequestMessage;
        if (request?.RequestUri is not { } uri || Find(request.Method, uri.AbsolutePath) is not { } operation)
        {
            return;
        }

        var status = (int)response.StatusCode;
        Seen.AddOrUpdate((operation.OperationId!, status), 1, (_, n) => n + 1);
        if (operation.Responses?.ContainsKey(status.ToString()) != true)
        {
            throw new Xunit.Sdk.XunitException(
                $"{request.Method} {uri.AbsolutePath} ({operation.OperationId}) answered {status}, which HighLoad.Api/openapi/HighLoad.Api.json " +
                $"does not list for it (it lists {string.Join(", ", operation.Responses?.Keys.AsEnumerable() ?? [])}). Document the answer, or fix the endpoint.");
        }
    }

    // The table of what the tests saw beside what the document lists, so a reader sees which answers no test provokes.
    public static void WriteObserved(string file)
    {
        var lines = new List<string>
        {
            "| operation | answers the tests saw (times) | listed, never seen |",
            "|---|---|---|",
        };
        foreach (var (path, item) in Document.Paths)
        {
            foreach (var operation in item.Operations?.Values.AsEnumerable() ?? [])
            {
                var seen = Seen.Where(s => s.Key.OperationId == operation.OperationId).OrderBy(s => s.Key.Status).ToList();
                var unseen = (operation.Responses?.Keys.AsEnumerable() ?? []).Where(code => seen.All(s => s.Key.Status.ToString() != code));
                lines.Add($"| {operation.OperationId} | {string.Join(", ", seen.Select(s => $"{s.Key.Status} ({s.Value})"))} | {string.Join(", ", unseen)} |");
            }
        }

        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllLines(file, lines);
    }

    private static OpenApiDocument Load()
    {
        var file = Assert.Single(Directory.GetFiles(Repository.PathTo("HighLoad.Api", "openapi"), "*.json"));
        var result = OpenApiDocument.Parse(File.ReadAllText(file), OpenApiConstants.Json, new OpenApiReaderSettings());
        Assert.Empty(result.Diagnostic?.Errors ?? []);
        return Assert.IsType<OpenApiDocument>(result.Document);
    }
}

// At the bottom of every HttpClient the integration tests call the API with: each answer is held to the document.
// Below HighLoad.Client's retries, so it sees every attempt; Answers lists them for a test that counts them.
public sealed class ContractCheckingHandler() : DelegatingHandler(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(1) })
{
    private readonly ConcurrentQueue<(HttpMethod Method, string Path, int Status)> _answers = new();

    public IReadOnlyCollection<(HttpMethod Method, string Path, int Status)> Answers => _answers;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        _answers.Enqueue((request.Method, request.RequestUri!.AbsolutePath, (int)response.StatusCode));
        ApiContract.Check(response);
        return response;
    }
}
