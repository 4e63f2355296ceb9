namespace HighLoad.Hosting;

// A resource that tells the services referencing it more than where it is: the provider's limits, say.
public interface IResourceWithReferenceEnvironment
{
    IEnumerable<KeyValuePair<string, string>> ReferenceEnvironment();
}
