# Sourced by run.sh and test.sh: makes sure the .NET SDK and the Debian servers the AppHost starts are here.
# As root (CI, a fresh machine) it installs what is missing; otherwise it prints the command and stops.

highload_missing_packages() {
  local missing=()
  compgen -G "/usr/lib/postgresql/*/bin/postgres" > /dev/null || missing+=(postgresql)
  [ -x /usr/sbin/pgbouncer ] || [ -x /usr/bin/pgbouncer ] || missing+=(pgbouncer)
  [ -x /usr/bin/redis-server ] || missing+=(redis-server)
  [ -x /usr/sbin/nginx ] || missing+=(nginx)
  command -v setpriv > /dev/null && command -v setsid > /dev/null || missing+=(util-linux)
  # The dashboard's browser tests drive it through Playwright, which cannot download a browser here.
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  # The Kubernetes tests render the published overlays with kubectl's kustomize (from the Google Cloud CLI packages).
  command -v kubectl > /dev/null || missing+=(kubectl)
  echo "${missing[@]}"
}

highload_prerequisites() {
  if ! command -v dotnet > /dev/null; then
    echo "error: the .NET 10 SDK is not on PATH (https://dot.net); HighLoad needs it to build." >&2
    return 1
  fi

  local missing
  missing=$(highload_missing_packages)
  [ -z "$missing" ] && return 0

  if [ "$(id -u)" -ne 0 ]; then
    echo "error: missing Debian packages: $missing" >&2
    echo "install them with: sudo apt-get install -y $missing" >&2
    return 1
  fi

  echo "Installing Debian packages: $missing"
  # The packages' own services are not wanted: the AppHost starts its own instances on its own ports.
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
  local status=0
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing > /dev/null; } || status=$?
  rm -f /usr/sbin/policy-rc.d
  if [ "$status" -ne 0 ]; then
    echo "error: apt-get could not install: $missing" >&2
    return 1
  fi
  missing=$(highload_missing_packages)
  if [ -n "$missing" ]; then
    echo "error: still missing after apt-get: $missing" >&2
    return 1
  fi
}
