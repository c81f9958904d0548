import { spawnSync } from "node:child_process";
import { calendarEventProblem } from "../../config/calendar-event";

/**
 * systemd's own parser is the oracle: Proxmox's calendar events are a subset of systemd's, so every
 * schedule we accept must parse there, and every syntax error we refuse must fail there too.
 */
function systemdAccepts(event: string): boolean {
  const r = spawnSync("systemd-analyze", ["calendar", event], { encoding: "utf8", timeout: 10_000 });
  if (r.error) throw r.error;
  return r.status === 0;
}

const accepted = [
  "02:00",
  "2:0",
  "sun 03:00",
  "mon..fri 02:00",
  "sat,sun 04:30",
  "mon..wed,fri 22:15",
  "mon 02:00:30",
  "sun",
  "*:0/15",
  "0/6:00",
  "01,13:00",
  "00..05:00",
  "*-*-01 03:00",
  "*-01,07-01 00:00",
  "2027-01-01",
  "mon *-*-* 00:00:00",
  "*-*-* *:*:*",
  "daily",
  "weekly",
  "monthly",
  "hourly",
  "minutely",
  "yearly",
  "annually",
  "quarterly",
  "semiannually",
  "semi-annually",
];

/** Refused by both: not a calendar event at all. */
const malformed = [
  "sun 25:00",
  "24:00",
  "sun 03:60",
  "02:00 sun",
  "03:00:00:00",
  "13-01 00:00",
  "5..3:00",
  "00/0:00",
  "mon.. 02:00",
  "mon,sun..tue 01:00",
  "*/15:00",
  "1969-01-01",
  "every day",
  "",
];

/** systemd has these, Proxmox's parser does not: refused so the job does not fail on the node. */
const outsideProxmoxSubset = [
  "02:00 UTC",
  "02:00 Asia/Jakarta",
  "@1700000000",
  "*-02~01 00:00",
  "1..10/2:00",
  "02:00:00.5",
  "Mon 02:00",
  "monday 02:00",
  "DAILY",
];

describe("backup schedules, with systemd-analyze calendar as the oracle", () => {
  it.each(accepted)("%j is accepted, and systemd parses it", (event) => {
    expect(calendarEventProblem(event)).toBeUndefined();
    expect(systemdAccepts(event)).toBe(true);
  });

  it.each(malformed)("%j is refused, and systemd refuses it too", (event) => {
    expect(calendarEventProblem(event)).toEqual(expect.any(String));
    expect(systemdAccepts(event)).toBe(false);
  });

  it.each(outsideProxmoxSubset)(
    "%j is refused although systemd parses it (not in Proxmox's subset)",
    (event) => {
      expect(calendarEventProblem(event)).toEqual(expect.any(String));
      expect(systemdAccepts(event)).toBe(true);
    },
  );

  it("explains what is wrong", () => {
    expect(calendarEventProblem("sun 25:00")).toBe("hour 25 is outside 0..23");
    expect(calendarEventProblem("02:00 UTC")).toBe(
      '"UTC" after the time: Proxmox takes no time zone or other suffix',
    );
  });
});
