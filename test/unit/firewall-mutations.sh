#!/usr/bin/env bash
# Mutation check of the firewall tests (issue 14, point 12). Each mutation below breaks the firewall
# the program REGISTERS (what `pulumi up` would send to Proxmox); the firewall tests must fail under
# every one of them. A mutation the tests survive is a hole in the tests.
#
# Works on a scratch copy of the worktree (tracked and new files, node_modules linked), never on the
# worktree itself; the copy is removed on exit. About 10-20 s per mutation on two cores.
# Run: bash test/unit/firewall-mutations.sh [name…]   (no names: every mutation)
# Exit: 0 when every mutation is caught, 1 when one survives, 3 when a mutation no longer applies
# (its text is gone from the source: update the table below with the code).
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
tests=(test/unit/firewall.test.ts test/unit/firewall-plan.test.ts)

# name | file | exact text (must occur once) | replacement
mutations=(
  "guest-policy-accept|components/firewall/index.ts|inputPolicy: fw.options.inputPolicy,|inputPolicy: \"ACCEPT\","
  "guest-firewall-off|components/firewall/index.ts|enabled: fw.options.enabled,|enabled: false,"
  "lxc-nic-flag-off|components/proxmox/lxc-guest.ts|bridge: args.bridge, firewall: true }|bridge: args.bridge, firewall: false }"
  "vm-nic-flag-off|components/proxmox/vm-guest.ts|model: \"virtio\", firewall: true,|model: \"virtio\", firewall: false,"
  "vrrp-removed|components/moodle/spec.ts|wireKeepalivedPeers(Object.keys(m.loadBalancers).map(key), t);|void wireKeepalivedPeers;"
  "admin-ssh-removed|config/wiring.ts|if (guests.length > 0) tcp(admins, EVERY_GUEST|if (guests.length < 0) tcp(admins, EVERY_GUEST"
  "cluster-off|components/firewall/index.ts|{ enabled: true, inputPolicy: \"DROP\", outputPolicy: \"ACCEPT\", ebtables: true }|{ enabled: false, inputPolicy: \"DROP\", outputPolicy: \"ACCEPT\", ebtables: true }"
  "node-rules-removed|components/firewall/index.ts|if (rules.length > 0)|if (rules.length < 0)"
  "management-emptied|components/firewall/index.ts|{ name: ipset.name, comment: ipset.comment, cidrs: ipset.cidrs }|{ name: ipset.name, comment: ipset.comment, cidrs: [] }"
  "sources-widened|components/firewall/rules.ts|const source = family.map((c) => c.text).join(\",\");|const source = \"0.0.0.0/0\";"
)

export PATH=/opt/node22/bin:$PATH
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
(cd "$root" && git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -t "$scratch")
ln -s "$root/node_modules" "$scratch/node_modules"

replace_once() {
  node -e '
    const fs = require("node:fs");
    const [file, from, to] = process.argv.slice(1);
    const text = fs.readFileSync(file, "utf8");
    if (text.split(from).length !== 2) process.exit(3);
    fs.writeFileSync(file, text.replace(from, () => to));
  ' "$@"
}

wanted() {
  [[ $# -eq 1 ]] && return 0
  local name=$1 w
  shift
  for w in "$@"; do [[ $w == "$name" ]] && return 0; done
  return 1
}

for w in "$@"; do
  printf '%s\n' "${mutations[@]}" | grep -q "^$w|" || { echo "no mutation named $w" >&2; exit 2; }
done

survived=()
stale=()
for m in "${mutations[@]}"; do
  IFS='|' read -r name file from to <<<"$m"
  wanted "$name" "$@" || continue
  cp "$root/$file" "$scratch/$file.orig"
  if ! replace_once "$scratch/$file" "$from" "$to"; then
    echo "$name: STALE (the text is not found exactly once in $file)"
    stale+=("$name")
    continue
  fi
  if (cd "$scratch" && timeout 300 npx jest --ci --silent "${tests[@]}" >"$scratch/$name.log" 2>&1); then
    echo "$name: SURVIVED (the firewall tests pass with it)"
    survived+=("$name")
  else
    echo "$name: caught ($(grep -Eo 'Tests: +[0-9]+ failed' "$scratch/$name.log" || echo 'the run failed'))"
  fi
  mv "$scratch/$file.orig" "$scratch/$file"
done

if [[ ${#stale[@]} -gt 0 ]]; then
  echo "stale mutations: ${stale[*]}"
  exit 3
fi
if [[ ${#survived[@]} -gt 0 ]]; then
  echo "survived: ${survived[*]}"
  exit 1
fi
echo "every mutation caught"
