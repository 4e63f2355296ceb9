// Built on the hosting layer, which starts servers through setsid and setpriv (util-linux): Linux only.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
