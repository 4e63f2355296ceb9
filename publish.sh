#!/usr/bin/env bash
# Publishes the app model for Kubernetes: deploy/aspire-manifest.json (Aspire's manifest, written by the AppHost)
# and deploy/k8s/ (kustomize base + overlays dev/small/medium/large, written from the manifest by HighLoad.Deploy).
#   ./publish.sh                        write both
#   ./publish.sh --placeholder-secrets  also write placeholder .<resource>.secrets files, so every overlay renders
#                                       with `kubectl kustomize` (CI does this; never apply them to a real cluster)
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v dotnet > /dev/null; then
  echo "error: the .NET 10 SDK is not on PATH (https://dot.net); publishing runs the AppHost." >&2
  exit 1
fi

echo "Building the AppHost and HighLoad.Deploy..."
dotnet build HighLoad.AppHost/HighLoad.AppHost.csproj -c Release -nologo -v quiet -clp:"ErrorsOnly;NoSummary"
dotnet build HighLoad.Deploy/HighLoad.Deploy.csproj -c Release -nologo -v quiet -clp:"ErrorsOnly;NoSummary"

echo "[1/2] The app model as Aspire's manifest"
dotnet HighLoad.AppHost/bin/Release/net10.0/HighLoad.AppHost.dll --publisher manifest --output-path deploy/aspire-manifest.json

echo "[2/2] Kubernetes manifests from it"
dotnet HighLoad.Deploy/bin/Release/net10.0/HighLoad.Deploy.dll --manifest deploy/aspire-manifest.json --output deploy/k8s "$@"
