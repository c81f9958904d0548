/**
 * The box's measured step times, as a JSON file the deploy simulation reads instead of its
 * hand-written latency table (bench/lib/deploy-latency.ts stays the fallback).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { BoxReport } from "./box";
import type { StepResult } from "./dag";

export interface BoxFigures {
  stack: string;
  /** ISO date of the run. */
  measuredAt: string;
  /** What the machine was (cores), so a reader can scale. */
  cores: number;
  /** Apt cache warm (a second run) or cold. */
  aptCache: "warm" | "cold";
  /** Base root, network and node stand-in up (seconds). */
  setupSeconds: number;
  /** Empty guests to the last step done (seconds): the site's provisioning wall time. */
  stepsSeconds: number;
  /** The tiers the run was limited to (`--tiers`); every tier when absent. */
  tiers?: string[];
  /** Each step (guest creation or command, by registered name): seconds and how it ended. */
  steps: { name: string; seconds: number; status: StepResult["status"] }[];
}

/** The figures of a box run, measured now on this machine. */
export function figuresOf(report: BoxReport, cores: number): BoxFigures {
  return {
    stack: report.stack,
    measuredAt: new Date().toISOString(),
    cores,
    aptCache: report.aptCache,
    setupSeconds: Math.round(report.setupSeconds),
    stepsSeconds: Math.round(report.stepsSeconds),
    ...(report.selection ? { tiers: report.selection.tiers } : {}),
    steps: report.steps.map((s) => ({
      name: s.name,
      seconds: Math.round(s.seconds * 10) / 10,
      status: s.status,
    })),
  };
}

/** Where the committed figures of a stack live (bench reads them from here). */
export function figuresPath(root: string, stack: string): string {
  return join(root, "bench", "box-figures", `${stack}.json`);
}

export function writeFigures(path: string, figures: BoxFigures): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(figures, null, 2)}\n`);
}

/** The figures of a stack, when the box has recorded some. */
export function readFigures(path: string): BoxFigures | undefined {
  if (!existsSync(path)) return undefined;
  return JSON.parse(readFileSync(path, "utf8")) as BoxFigures;
}

/** Measured seconds of the steps that succeeded, by registered name. */
export function measuredLatencies(figures: BoxFigures): Map<string, number> {
  return new Map(figures.steps.filter((s) => s.status === "ok").map((s) => [s.name, s.seconds]));
}
