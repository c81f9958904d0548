/** What every box check is made of: a check returns its evidence or fails with it. */
import type { SiteConfig } from "../../config/schema";
import type { RunningBox } from "./box";

export interface CheckResult {
  name: string;
  ok: boolean;
  detail: string;
}

/** Returns the evidence of success; throws (CheckFailed) with the evidence of failure. */
export type Check = (box: RunningBox, config: SiteConfig) => Promise<string>;

/** A failed expectation inside a check: its message is the evidence. */
export class CheckFailed extends Error {}

export function expectThat(ok: boolean, message: string): void {
  if (!ok) throw new CheckFailed(message);
}
