/**
 * IANA time zones as the Proxmox node knows them (tzdata's /usr/share/zoneinfo). The list comes from
 * the ICU data in Node: `Intl.supportedValuesOf("timeZone")` holds the canonical zones (418 in Node
 * 22, without UTC or Etc/*), and `Intl.DateTimeFormat` also knows their aliases (Asia/Kolkata for
 * ICU's Asia/Calcutta, Etc/UTC, US/Eastern). ICU matches names case-insensitively and accepts UTC
 * offsets (+07:00); tzdata does neither, so a name must also have tzdata's shape: each part starting
 * with a capital letter. Pure: no Pulumi import.
 */

const TZDATA_SHAPE = /^[A-Z][A-Za-z0-9_+-]*(\/[A-Z][A-Za-z0-9_+-]*)*$/;

/** The canonical zones, plus UTC, for suggestions. */
function knownZones(): string[] {
  return ["UTC", ...Intl.supportedValuesOf("timeZone")];
}

/** What ICU resolves `name` to, or undefined when it does not know the zone. */
function resolvedZone(name: string): string | undefined {
  try {
    return new Intl.DateTimeFormat("en", { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

/** True when `name` is a time zone of the IANA database, written as tzdata writes it. */
export function isIanaTimeZone(name: string): boolean {
  if (!TZDATA_SHAPE.test(name)) return false;
  const resolved = resolvedZone(name);
  if (resolved === undefined) return false;
  // ICU accepts ASIA/JAKARTA; tzdata's file is Asia/Jakarta.
  return !(resolved.toLowerCase() === name.toLowerCase() && resolved !== name);
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++)
      current[j] = Math.min(
        previous[j] + 1,
        current[j - 1] + 1,
        previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    previous = current;
  }
  return previous[b.length];
}

/** The known zone closest to `name` (case-insensitive edit distance), if one is close. */
export function closestTimeZone(name: string): string | undefined {
  const lower = name.toLowerCase();
  let best: { zone: string; distance: number } | undefined;
  for (const zone of knownZones()) {
    const distance = editDistance(lower, zone.toLowerCase());
    if (!best || distance < best.distance) best = { zone, distance };
  }
  return best && best.distance <= Math.max(2, Math.floor(name.length / 4)) ? best.zone : undefined;
}

/** Why `name` is not an IANA time zone, or undefined when it is one. */
export function timeZoneProblem(name: string): string | undefined {
  if (isIanaTimeZone(name)) return undefined;
  const suggestion = closestTimeZone(name);
  return (
    "is not an IANA time zone such as Asia/Jakarta or UTC" +
    (suggestion ? ` (did you mean ${suggestion}?)` : "")
  );
}
