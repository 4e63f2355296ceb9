// The hosting layer starts servers through setsid and setpriv (util-linux): the AppHost runs on Linux.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
