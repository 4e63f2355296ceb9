namespace HighLoad.Hosting;

public sealed class DistributedApplicationException(string message) : Exception(message);

public sealed class PortInUseException(string message) : Exception(message);

public sealed class ResourceFailedException(string message) : Exception(message);

internal sealed class DependencyFailedException() : Exception("A dependency did not start.");
