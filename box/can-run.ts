/** Prints whether the box tier runs on this machine (for .ci/run's log). */
import { whyBoxCannotRun } from "./lib/capability";

const why = whyBoxCannotRun();
console.log(
  why ? `box tests skipped: ${why}` : "box tests: this machine can boot guests; the school box runs",
);
