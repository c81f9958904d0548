/** Prints whether the box tier runs on this machine (for .ci/run's log). */
import { whyBoxCannotRun } from "./lib/capability";

const why =
  whyBoxCannotRun() ??
  (process.env.BOX_SCHOOL === "1"
    ? undefined
    : "the school box is opt-in (BOX_SCHOOL=1) until its files guest can serve NFS from a container (docs/field-notes.md)");
console.log(
  why ? `box tests skipped: ${why}` : "box tests: this machine can boot guests; the school box runs",
);
