#!/usr/bin/env bash
# Manages the API clients of a running HighLoad (./run.sh) through its admin API, with the operators' key the
# AppHost keeps in .highload/admin-api-key. A key is shown once, when it is made: keep it.
#   ./clients.sh add NAME [--tier standard|partner|development]
#   ./clients.sh list
#   ./clients.sh rotate CLIENT_ID      a new key; the old one is refused at once, on every replica
#   ./clients.sh revoke CLIENT_ID      the key is refused from now on; accepted jobs still finish
# HIGHLOAD_URL (default http://127.0.0.1:8080) and HIGHLOAD_ADMIN_KEY override where and with which key.
set -euo pipefail
cd "$(dirname "$0")"

url="${HIGHLOAD_URL:-http://127.0.0.1:8080}"
usage() { sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }

key="${HIGHLOAD_ADMIN_KEY:-}"
if [ -z "$key" ]; then
  if [ ! -f .highload/admin-api-key ]; then
    echo "error: no .highload/admin-api-key: start the system with ./run.sh first (or set HIGHLOAD_ADMIN_KEY)." >&2
    exit 1
  fi
  key=$(tr -d '[:space:]' < .highload/admin-api-key)
fi

call() { # METHOD PATH [BODY]: prints the body, fails on a status other than 2xx with the server's problem
  local method=$1 path=$2 body=${3:-} out status
  out=$(mktemp)
  trap 'rm -f "$out"' RETURN
  if ! status=$(curl -sS -o "$out" -w '%{http_code}' -X "$method" "$url$path" -H "X-Admin-Key: $key" \
        ${body:+-H "Content-Type: application/json" -d "$body"}); then
    echo "error: $url did not answer: is ./run.sh running?" >&2
    return 1
  fi
  if [ "${status:0:1}" != 2 ]; then
    echo "error: $method $path answered $status: $(cat "$out")" >&2
    return 1
  fi
  cat "$out"
}

field() { sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p"; }

case "${1:-}" in
  add)
    [ $# -ge 2 ] || usage
    name=$2; tier=standard
    shift 2
    while [ $# -gt 0 ]; do
      case "$1" in
        --tier) [ $# -ge 2 ] || usage; tier=$2; shift 2 ;;
        *) usage ;;
      esac
    done
    case "$name$tier" in *\"*|*\\*) echo "error: a name or tier cannot hold quotes or backslashes" >&2; exit 2 ;; esac
    answer=$(call POST /admin/v1/clients "{\"name\":\"$name\",\"tier\":\"$tier\"}")
    id=$(echo "$answer" | field id); apikey=$(echo "$answer" | field apiKey)
    echo "Client '$name' ($tier tier): $id"
    echo "API key (shown only now, keep it): $apikey"
    echo
    echo "Try it:  curl -X POST $url/api/v1/jobs -H \"X-Api-Key: $apikey\" -H \"Content-Type: application/json\" -d '{\"input\": \"hello\"}'"
    ;;
  list)
    call GET /admin/v1/clients | sed 's/},{/}\n{/g; s/^\[//; s/\]$//'
    echo
    ;;
  rotate)
    [ $# -eq 2 ] || usage
    apikey=$(call POST "/admin/v1/clients/$2/rotate" | field apiKey)
    echo "New API key for $2 (shown only now): $apikey"
    echo "The old key is refused from now on."
    ;;
  revoke)
    [ $# -eq 2 ] || usage
    call POST "/admin/v1/clients/$2/revoke" > /dev/null
    echo "Revoked: $2's key is refused from now on (its accepted jobs still finish)."
    ;;
  *) usage ;;
esac
