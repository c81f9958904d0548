import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { closestTimeZone, isIanaTimeZone, timeZoneProblem } from "../../config/time-zone";

/** tzdata, as on a Proxmox node: a zone is valid exactly when its file exists here. */
const ZONEINFO = "/usr/share/zoneinfo";
const haveTzdata = existsSync(join(ZONEINFO, "Asia/Jakarta"));
const inTzdata = (zone: string) => {
  const path = join(ZONEINFO, zone);
  return existsSync(path) && statSync(path).isFile();
};

const accepted = [
  "Asia/Jakarta",
  "Asia/Makassar",
  "Asia/Kolkata",
  "Asia/Calcutta",
  "Europe/Kyiv",
  "America/Argentina/Buenos_Aires",
  "America/Port-au-Prince",
  "UTC",
  "Etc/UTC",
  "Etc/GMT-7",
  "US/Eastern",
  "EST5EDT",
];
const refused = [
  "Asia/Jakrta",
  "asia/jakarta",
  "ASIA/JAKARTA",
  "Jakarta",
  "Jakarta time",
  "+07:00",
  "UTC+7",
  "Asia/Jakarta ",
  "Etc/Unknown",
  "Mars/Olympus_Mons",
  "",
];

describe("time zones, with tzdata's /usr/share/zoneinfo as the oracle", () => {
  it.each(accepted)("%s is accepted, and tzdata has it", (zone) => {
    expect(isIanaTimeZone(zone)).toBe(true);
    if (haveTzdata) expect(inTzdata(zone)).toBe(true);
  });

  it.each(refused)("%j is refused, and tzdata has no such zone", (zone) => {
    expect(isIanaTimeZone(zone)).toBe(false);
    if (haveTzdata) expect(zone !== "" && inTzdata(zone)).toBe(false);
  });

  it("accepts every zone of Node's list, and tzdata has each", () => {
    const zones = Intl.supportedValuesOf("timeZone");
    expect(zones.length).toBeGreaterThan(400);
    expect(zones.filter((z) => !isIanaTimeZone(z))).toEqual([]);
    if (haveTzdata) expect(zones.filter((z) => !inTzdata(z))).toEqual([]);
  });

  it("suggests the zone a typo was meant to be", () => {
    expect(closestTimeZone("Asia/Jakrta")).toBe("Asia/Jakarta");
    expect(timeZoneProblem("Asia/Jakrta")).toBe(
      "is not an IANA time zone such as Asia/Jakarta or UTC (did you mean Asia/Jakarta?)",
    );
    expect(timeZoneProblem("Jakarta time")).toBe("is not an IANA time zone such as Asia/Jakarta or UTC");
  });
});
