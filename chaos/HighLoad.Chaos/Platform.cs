// The chaos run boots the AppHost, which starts servers through Linux's setsid and setpriv.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
