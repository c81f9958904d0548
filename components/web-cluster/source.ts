/**
 * The step that puts the application's code on an app node: a shallow clone of a git branch or tag, or
 * a release tarball whose SHA-256 must match before anything is unpacked. Fetched once into an empty
 * code directory (never switched under a running node: a new ref or release is a separate step); code
 * is owned by root, read-only to PHP. Pure: renders bash.
 */
import { shellQuote } from "../proxmox/shell-quote";

export type WebSource = { git: string; ref: string } | { tarball: string; sha256: string };

/** Bash that fetches the code into `$root<codeDir>` when it is not there yet. */
export function renderSourceStep(source: WebSource, codeDir: string): string {
  const marker = ".proxmox-sites-source";
  const code = `code="$root"${shellQuote(codeDir)}`;
  if ("git" in source) {
    const want = `git ${source.git} ${source.ref}`;
    return [
      code,
      `if [ ! -f "$code/${marker}" ]; then`,
      '  rm -rf "$code.partial"',
      `  git clone --quiet --depth 1 --single-branch --branch ${shellQuote(source.ref)} ${shellQuote(source.git)} "$code.partial"`,
      `  printf '%s\\n' ${shellQuote(want)} >"$code.partial/${marker}"`,
      '  rm -rf "$code" && mv "$code.partial" "$code"',
      "fi",
      `if [ "$(cat "$code/${marker}")" != ${shellQuote(want)} ]; then`,
      `  echo "warning: $code holds $(cat "$code/${marker}"), not "${shellQuote(want)}"; deploying a new ref is a separate step" >&2`,
      "fi",
    ].join("\n");
  }
  const want = `tarball ${source.sha256}`;
  return [
    code,
    `if [ ! -f "$code/${marker}" ]; then`,
    '  archive="$(mktemp)"',
    `  curl -fsSL --proto '=https' --retry 3 -o "$archive" ${shellQuote(source.tarball)}`,
    `  if ! printf '%s  %s\\n' ${shellQuote(source.sha256)} "$archive" | sha256sum -c --quiet -; then`,
    `    echo "error: "${shellQuote(source.tarball)}" does not have the SHA-256 the stack pins" >&2`,
    '    rm -f "$archive"',
    "    exit 1",
    "  fi",
    '  rm -rf "$code.partial" && mkdir -p "$code.partial"',
    '  tar -xzf "$archive" -C "$code.partial" --strip-components=1 --no-same-owner',
    '  rm -f "$archive"',
    `  printf '%s\\n' ${shellQuote(want)} >"$code.partial/${marker}"`,
    '  rm -rf "$code" && mv "$code.partial" "$code"',
    "fi",
    `if [ "$(cat "$code/${marker}")" != ${shellQuote(want)} ]; then`,
    `  echo "warning: $code holds $(cat "$code/${marker}"), not "${shellQuote(want)}"; deploying a new release is a separate step" >&2`,
    "fi",
  ].join("\n");
}
