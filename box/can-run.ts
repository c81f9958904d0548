/** Prints whether the box tier runs on this machine (for .ci/run's log). */
import { whyBoxCannotRun } from "./lib/capability";

const why =
  whyBoxCannotRun() ??
  (process.env.BOX_SCHOOL === "1"
    ? undefined
    : "the school box is opt-in (BOX_SCHOOL=1) until it is stable in CI: in 2 of the last 4 runs one guest's apt download through the box's relay timed out (docs/box.md)");
console.log(
  why ? `box tests skipped: ${why}` : "box tests: this machine can boot guests; the school box runs",
);
