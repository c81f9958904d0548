import { latencyOf } from "../../bench/lib/deploy-latency";
import type { BoxReport } from "../../box/lib/box";
import { figuresOf, measuredLatencies, type BoxFigures } from "../../box/lib/figures";

const figures: BoxFigures = {
  stack: "school",
  measuredAt: "2026-12-03T19:00:00.000Z",
  cores: 2,
  aptCache: "warm",
  setupSeconds: 20,
  stepsSeconds: 400,
  steps: [
    { name: "moodle-app1-app", seconds: 156, status: "ok" },
    { name: "moodle-app1", seconds: 9.5, status: "ok" },
    { name: "moodle-files-nfs", seconds: 50, status: "failed" },
  ],
};

describe("deploy simulation latencies from the box's figures", () => {
  const measured = measuredLatencies(figures);

  it("gives a command and a guest the box ran their measured time", () => {
    expect(latencyOf("command:remote:Command", true, "moodle-app1-app", measured)).toEqual({
      seconds: 156,
      known: true,
    });
    expect(
      latencyOf("proxmoxve:index/containerLegacy:ContainerLegacy", true, "moodle-app1", measured).seconds,
    ).toBe(9.5);
  });

  it("keeps the table for what the box did not measure, failed steps and other types", () => {
    expect(latencyOf("command:remote:Command", true, "moodle-files-nfs", measured).seconds).toBe(180);
    expect(latencyOf("command:remote:Command", true, "moodle-app1-cron", measured).seconds).toBe(5);
    expect(latencyOf("proxmoxve:download/file:File", true, "moodle-app1-app", measured).seconds).toBe(60);
  });
});

describe("the figures of a box run", () => {
  const report = {
    stack: "prod",
    setupSeconds: 17.4,
    stepsSeconds: 618.6,
    aptCache: "warm",
    steps: [{ name: "redis-bootstrap", status: "ok", startSeconds: 3, seconds: 33.64 }],
    selection: { tiers: ["data"], leftOut: [], pulledIn: [] },
  } as unknown as BoxReport;

  it("rounds the totals to seconds and each step to tenths, and names the tiers a selection ran", () => {
    expect(figuresOf(report, 2)).toMatchObject({
      stack: "prod",
      cores: 2,
      aptCache: "warm",
      setupSeconds: 17,
      stepsSeconds: 619,
      tiers: ["data"],
      steps: [{ name: "redis-bootstrap", seconds: 33.6, status: "ok" }],
    });
  });

  it("names no tiers for a run of the whole site", () => {
    expect(figuresOf({ ...report, selection: undefined }, 2)).not.toHaveProperty("tiers");
  });
});
