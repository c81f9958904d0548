/**
 * Proxmox VE's calendar events (backup job schedules in /etc/pve/jobs.cfg): a subset of systemd's
 * calendar-event syntax, parsed by Proxmox's own parser (proxmox-time, shared with Proxmox Backup
 * Server), whose documented format is
 *
 *   [WEEKDAY] [[YEARS-]MONTHS-DAYS] [HOURS:MINUTES[:SECONDS]]
 *
 * with lists (`1,3`), ranges (`mon..fri`, `1..5`), repetitions (`0/15`: from 0 every 15) and `*`,
 * and the names minutely, hourly, daily, weekly, monthly, yearly/annually, quarterly and
 * semiannually/semi-annually. Not part of Proxmox's subset although systemd has them: Unix timestamps
 * (`@1700000000`), a time zone (`02:00 UTC`: jobs run in the node's zone), sub-second times, the
 * last-day-of-month form (`*-02~01`) and repetitions of ranges (`1..10/2`). Pure: no Pulumi import.
 */

const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const NAMED_EVENTS = new Set([
  "minutely",
  "hourly",
  "daily",
  "weekly",
  "monthly",
  "yearly",
  "annually",
  "quarterly",
  "semiannually",
  "semi-annually",
]);

interface FieldRange {
  name: string;
  min: number;
  max: number;
}

const FIELDS = {
  year: { name: "year", min: 1970, max: 2199 },
  month: { name: "month", min: 1, max: 12 },
  day: { name: "day", min: 1, max: 31 },
  hour: { name: "hour", min: 0, max: 23 },
  minute: { name: "minute", min: 0, max: 59 },
  second: { name: "second", min: 0, max: 59 },
} satisfies Record<string, FieldRange>;

/** A number of the field's range, or an explanation of why not. */
function number(text: string, field: FieldRange): number | string {
  if (!/^\d+$/.test(text)) return `"${text}" is not a ${field.name}`;
  const n = Number(text);
  if (n < field.min || n > field.max) return `${field.name} ${text} is outside ${field.min}..${field.max}`;
  return n;
}

/** One comma-separated item of a numeric field: `*`, `N`, `N..M` or `N/R` (a star only alone). */
function fieldItem(item: string, field: FieldRange): string | undefined {
  if (item === "*") return undefined;
  const repetition = /^([^/]+)\/([^/]+)$/.exec(item);
  if (repetition) {
    if (repetition[1].includes("..")) return `"${item}": Proxmox does not repeat a range (use a list)`;
    const start = number(repetition[1], field);
    if (typeof start === "string") return start;
    if (!/^\d+$/.test(repetition[2]) || Number(repetition[2]) < 1)
      return `"${item}": the repetition must be a whole number of at least 1`;
    return undefined;
  }
  const range = /^([^.]+)\.\.([^.]+)$/.exec(item);
  if (range) {
    const [from, to] = [number(range[1], field), number(range[2], field)];
    if (typeof from === "string") return from;
    if (typeof to === "string") return to;
    return from <= to ? undefined : `"${item}": a range must go upwards`;
  }
  const single = number(item, field);
  return typeof single === "string" ? single : undefined;
}

function field(text: string, f: FieldRange): string | undefined {
  for (const item of text.split(",")) {
    const problem = fieldItem(item, f);
    if (problem) return problem;
  }
  return undefined;
}

function weekdaySpec(text: string): string | undefined {
  for (const item of text.split(",")) {
    const [from, to, ...rest] = item.split("..");
    const days = to === undefined ? [from] : [from, to];
    if (rest.length > 0 || days.some((d) => !WEEKDAYS.includes(d)))
      return `"${item}" is not a weekday (${WEEKDAYS.join(", ")}) or a range of two`;
    if (to !== undefined && WEEKDAYS.indexOf(from) > WEEKDAYS.indexOf(to))
      return `"${item}": a weekday range must go from Monday towards Sunday`;
  }
  return undefined;
}

function dateSpec(text: string): string | undefined {
  const parts = text.split("-");
  if (parts.length < 2 || parts.length > 3) return `"${text}" is not a date of the form [YEARS-]MONTHS-DAYS`;
  const fields = parts.length === 3 ? [FIELDS.year, FIELDS.month, FIELDS.day] : [FIELDS.month, FIELDS.day];
  for (let i = 0; i < parts.length; i++) {
    const problem = field(parts[i], fields[i]);
    if (problem) return problem;
  }
  return undefined;
}

function timeSpec(text: string): string | undefined {
  const parts = text.split(":");
  if (parts.length < 2 || parts.length > 3)
    return `"${text}" is not a time of the form HOURS:MINUTES[:SECONDS]`;
  const fields = [FIELDS.hour, FIELDS.minute, FIELDS.second];
  for (let i = 0; i < parts.length; i++) {
    const problem = field(parts[i], fields[i]);
    if (problem) return problem;
  }
  return undefined;
}

/**
 * Why `text` is not a calendar event Proxmox accepts, or undefined when it is one. Only lower-case
 * names are accepted (the form Proxmox documents).
 */
export function calendarEventProblem(text: string): string | undefined {
  if (text !== text.trim() || text === "") return "must be a calendar event such as 02:00 or sun 03:00";
  if (NAMED_EVENTS.has(text)) return undefined;
  const tokens = text.split(/ +/);
  if (tokens.length > 3)
    return `has ${tokens.length} parts; expected [WEEKDAY] [[YEARS-]MONTHS-DAYS] [HH:MM[:SS]]`;
  let i = 0;
  const seen: string[] = [];
  if (/^[a-z]/.test(tokens[i])) {
    const problem = weekdaySpec(tokens[i]);
    if (problem) return problem;
    seen.push("weekday");
    i++;
  }
  if (i < tokens.length && !tokens[i].includes(":")) {
    const problem = dateSpec(tokens[i]);
    if (problem) return problem;
    seen.push("date");
    i++;
  }
  if (i < tokens.length) {
    const problem = timeSpec(tokens[i]);
    if (problem) return problem;
    seen.push("time");
    i++;
  }
  if (i < tokens.length)
    return `"${tokens[i]}" after the ${seen.join(" and ")}: Proxmox takes no time zone or other suffix`;
  return undefined;
}
