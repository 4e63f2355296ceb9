#!/usr/bin/env bash
# Renders every overlay in deploy/k8s/overlays with `kubectl kustomize` and validates each document's schema
# offline (validate.mjs, kubernetes-models). Works on a scratch copy of deploy/k8s with placeholder secrets
# files, so it needs no secrets and never touches the tree. Exits non-zero if anything fails.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
k8s="$repo/deploy/k8s"

command -v node >/dev/null || { echo "validate.sh: node (20+) is needed" >&2; exit 2; }
command -v kubectl >/dev/null || { echo "validate.sh: kubectl is needed (package kubectl, from the Google Cloud CLI packages)" >&2; exit 2; }
[[ -d "$k8s/overlays" ]] || { echo "validate.sh: no $k8s/overlays; run ./publish.sh first" >&2; exit 2; }

if [[ ! -d "$here/node_modules/kubernetes-models" ]]; then
  echo "== npm ci (deploy/validate)"
  npm ci --prefix "$here" --no-audit --no-fund
fi

# A validator that cannot fail is worse than none: the fixture holds a broken Deployment and a misspelt kind.
if node "$here/validate.mjs" "$here/fixtures/mixed.yaml" >/dev/null; then
  echo "validate.sh: validate.mjs passed fixtures/mixed.yaml, which it must reject" >&2
  exit 1
fi

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
cp -r "$k8s" "$scratch/k8s"
node "$here/secrets-files.mjs" "$scratch/k8s" --placeholders

passed=()
failed=()
for overlay in "$scratch"/k8s/overlays/*/; do
  name="$(basename "$overlay")"
  echo "== overlay $name"
  if kubectl kustomize "$overlay" >"$scratch/$name.yaml" && node "$here/validate.mjs" "$scratch/$name.yaml"; then
    passed+=("$name")
  else
    failed+=("$name")
  fi
done

echo "== summary: ${#passed[@]} overlay(s) valid${passed:+ (${passed[*]})}, ${#failed[@]} failed${failed:+ (${failed[*]})}"
[[ ${#failed[@]} -eq 0 ]]
