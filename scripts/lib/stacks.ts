import { readdirSync } from "node:fs";

const STACK_FILE = /^Pulumi\.([^.]+)\.yaml$/;

/** Stack names of the Pulumi.<stack>.yaml files in `dir`, sorted. */
export function listStacks(dir: string): string[] {
  return readdirSync(dir)
    .map((f) => STACK_FILE.exec(f)?.[1])
    .filter((s): s is string => s !== undefined)
    .sort();
}
