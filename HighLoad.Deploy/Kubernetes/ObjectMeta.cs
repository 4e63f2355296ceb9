using k8s.Models;

namespace HighLoad.Deploy.Kubernetes;

public static class ObjectMeta
{
    public const string NameLabel = "app.kubernetes.io/name";

    public static V1ObjectMeta Named(string name, IDictionary<string, string>? labels = null) => new()
    {
        Name = name,
        Labels = labels ?? Labels(name),
    };

    public static SortedDictionary<string, string> Labels(string name) => Sorted((NameLabel, name));

    public static V1LabelSelector Selector(string name) => new() { MatchLabels = Labels(name) };

    public static SortedDictionary<string, string> Sorted(params (string Key, string Value)[] pairs)
    {
        var map = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in pairs)
        {
            map[key] = value;
        }

        return map;
    }
}
