#!/usr/bin/env bash
# Builds the Pulumi engine pieces this project pins, from the Go module proxy, into a cache
# outside the repository, for machines that cannot download Pulumi's release binaries.
#
#   bash scripts/engine/build.sh            build what is missing, then print the status table
#   bash scripts/engine/build.sh --status   only print what is built and what is not
#
# Versions come from package.json: the CLI and the Node.js language host at the version of
# @pulumi/pulumi, the resource plugins at the exact versions of their SDK packages. Every
# piece is built from its release commit; a piece the module proxy does not serve is reported
# with the proxy's own answer and the script goes on with the next one (exit 0 when the CLI
# is built, so the engine tests can decide what they can run; exit 1 when the CLI is not).
set -euo pipefail
cd "$(dirname "$0")/../.."

status_only=0
case "${1:-}" in
  --status) status_only=1 ;;
  -h | --help)
    sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
    exit 0
    ;;
  "") ;;
  *)
    echo "build.sh: unknown option '$1' (try --help)" >&2
    exit 2
    ;;
esac

engine_home="${PULUMI_ENGINE_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/proxmox-sites/engine}"
proxy="${ENGINE_GOPROXY:-$(go env GOPROXY | cut -d, -f1)}"
pin() { node -p "require('./package.json').dependencies['$1']"; }
pulumi_version=$(pin @pulumi/pulumi)

cli_dir="$engine_home/pulumi-v$pulumi_version"
cli="$cli_dir/bin/pulumi"
report=()

# Prints "<hash> <UTC time>" of the commit a tagged module version was built from, from the
# proxy's .info (its Origin block), or nothing when the proxy does not give it.
release_commit() {
  local module=$1 version=$2
  curl -fsS "$proxy/$module/@v/$version.info" 2>/dev/null |
    node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{try{const i=JSON.parse(s);if(i.Origin&&i.Origin.Hash)console.log(i.Origin.Hash,i.Time)}catch{}})'
}

# The canonical pseudo-version of a commit for a module that has no tags of its own.
pseudo_version() {
  local major=$1 hash=$2 time=$3 stamp
  stamp=$(date -u -d "$time" +%Y%m%d%H%M%S)
  echo "$major.0.0-$stamp-${hash:0:12}"
}

# Why the proxy refuses a module version, in its own words (empty when it serves it).
proxy_refusal() {
  local module=$1 version=$2 code body
  body=$(mktemp)
  code=$(curl -sS -o "$body" -w '%{http_code}' "$proxy/$module/@v/$version.info" || echo 000)
  if [ "$code" != 200 ]; then echo "HTTP $code: $(head -c 200 "$body" | tr '\n' ' ')"; fi
  rm -f "$body"
}

build_cli() {
  if [ -x "$cli" ]; then
    report+=("pulumi $pulumi_version: built ($cli)")
    return 0
  fi
  if [ "$status_only" = 1 ]; then
    report+=("pulumi $pulumi_version: not built")
    return 1
  fi
  local work start peak refusal
  refusal=$(proxy_refusal github.com/pulumi/pulumi/pkg/v3 "v$pulumi_version")
  if [ -n "$refusal" ]; then
    report+=("pulumi $pulumi_version: cannot build, the proxy refuses pkg/v3 v$pulumi_version ($refusal)")
    return 1
  fi
  work=$(mktemp -d)
  # pkg/v3's go.mod replaces sdk/v3 with ../sdk and atotto/clipboard with a fork; replace
  # lines of a dependency are ignored, so a wrapper module requires both at one version and
  # repeats the clipboard replace read from pkg/v3's own go.mod.
  local clipboard
  clipboard=$(curl -fsS "$proxy/github.com/pulumi/pulumi/pkg/v3/@v/v$pulumi_version.mod" |
    sed -n 's#^replace github.com/atotto/clipboard => ##p')
  cat >"$work/go.mod" <<MOD
module proxmox-sites.local/engine

go 1.26

require (
	github.com/pulumi/pulumi/pkg/v3 v$pulumi_version
	github.com/pulumi/pulumi/sdk/v3 v$pulumi_version
)
MOD
  if [ -n "$clipboard" ]; then
    echo "replace github.com/atotto/clipboard => $clipboard" >>"$work/go.mod"
  fi
  cat >"$work/tools.go" <<'GO'
//go:build tools

package tools

import _ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
GO
  start=$(date +%s)
  (
    cd "$work"
    GOFLAGS=-mod=mod go mod tidy -e >/dev/null 2>&1 || true
    GOFLAGS=-mod=mod /usr/bin/time -f '%M' -o "$work/peak-kb" go build -trimpath \
      -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$pulumi_version" \
      -o "$cli_dir/bin/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
  )
  peak=$(cat "$work/peak-kb" 2>/dev/null || echo 0)
  rm -rf "$work"
  report+=("pulumi $pulumi_version: built in $(($(date +%s) - start)) s, peak $((peak / 1024)) MiB ($cli)")
}

# The Node.js language host is its own module inside pulumi/pulumi with no tags: it is built
# at the pseudo-version of the release commit, which the proxy names in sdk/v3's Origin.
build_language_host() {
  local host="$cli_dir/bin/pulumi-language-nodejs" commit module refusal version
  if [ -x "$host" ]; then
    report+=("pulumi-language-nodejs $pulumi_version: built ($host)")
    return 0
  fi
  module=github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3
  commit=$(release_commit github.com/pulumi/pulumi/sdk/v3 "v$pulumi_version")
  if [ -z "$commit" ]; then
    report+=("pulumi-language-nodejs $pulumi_version: cannot build, the proxy names no release commit for sdk/v3 v$pulumi_version (its .info has no Origin), so the language host's pseudo-version is unknown; $module itself: $(proxy_refusal "$module" list)")
    return 1
  fi
  # shellcheck disable=SC2086
  version=$(pseudo_version v3 $commit)
  refusal=$(proxy_refusal "$module" "$version")
  if [ -n "$refusal" ]; then
    report+=("pulumi-language-nodejs $pulumi_version: cannot build, the proxy refuses $module@$version ($refusal)")
    return 1
  fi
  [ "$status_only" = 1 ] && { report+=("pulumi-language-nodejs: not built"); return 1; }
  GOBIN="$cli_dir/bin" GOFLAGS=-mod=mod go install -trimpath "$module@$version"
  report+=("pulumi-language-nodejs $pulumi_version: built ($host)")
}

# A resource plugin: its provider/ module at the pseudo-version of the commit its SDK's
# release tag names. Prints why when the proxy does not serve it.
build_plugin() {
  local name=$1 repo=$2 sdk_module=$3 provider_module=$4 major=$5 version commit pv refusal
  version=$(pin "$6")
  local plugin_dir="$engine_home/plugins/$name-v$version"
  if [ -x "$plugin_dir/pulumi-resource-$name" ]; then
    report+=("pulumi-resource-$name $version: built")
    return 0
  fi
  commit=$(release_commit "$sdk_module" "v$version")
  if [ -z "$commit" ]; then
    report+=("pulumi-resource-$name $version: cannot build, the proxy refuses $sdk_module v$version ($(proxy_refusal "$sdk_module" "v$version")), so the release commit of $repo is unknown here")
    return 1
  fi
  # shellcheck disable=SC2086
  pv=$(pseudo_version "$major" $commit)
  refusal=$(proxy_refusal "$provider_module" "$pv")
  if [ -n "$refusal" ]; then
    report+=("pulumi-resource-$name $version: cannot build, release commit ${commit%% *} found, but the proxy refuses $provider_module@$pv ($refusal)")
    return 1
  fi
  report+=("pulumi-resource-$name $version: served as $provider_module@$pv, but its go.mod replaces modules with local paths (built only from a source checkout, not by this script)")
  return 1
}

mkdir -p "$engine_home"
cli_ok=0
build_cli && cli_ok=1
build_language_host || true
build_plugin proxmoxve muhlba91/pulumi-proxmoxve github.com/muhlba91/pulumi-proxmoxve/sdk/v8 \
  github.com/muhlba91/pulumi-proxmoxve/provider v0 @muhlba91/pulumi-proxmoxve || true
build_plugin cloudflare pulumi/pulumi-cloudflare github.com/pulumi/pulumi-cloudflare/sdk/v6 \
  github.com/pulumi/pulumi-cloudflare/provider/v6 v6 @pulumi/cloudflare || true
build_plugin random pulumi/pulumi-random github.com/pulumi/pulumi-random/sdk/v4 \
  github.com/pulumi/pulumi-random/provider/v4 v4 @pulumi/random || true
build_plugin command pulumi/pulumi-command github.com/pulumi/pulumi-command/sdk \
  github.com/pulumi/pulumi-command/provider v0 @pulumi/command || true

printf '%s\n' "${report[@]}" | tee "$engine_home/status.txt"
[ "$cli_ok" = 1 ]
