namespace HighLoad.Hosting;

// Generated for every ProjectReference marked IsServiceProject (see HighLoad.AppHost.csproj), as Aspire's SDK does.
public interface IProjectMetadata
{
    string ProjectPath { get; }

    string AssemblyPath { get; }
}
