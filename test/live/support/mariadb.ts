/**
 * A throwaway MariaDB for live tests: a fresh data directory in the scratch directory, the server on a
 * Unix socket only (--skip-networking), stopped by `stopAllDaemons`.
 */
import { join } from "node:path";
import { findProgram, run, startDaemon, waitFor } from "./daemon";

/** Starts the server under `dir`; resolves to its socket once it answers (at most 30 s). */
export async function startScratchMariaDb(name: string, dir: string): Promise<string> {
  const socket = join(dir, "mariadb.sock");
  const data = join(dir, "data");
  const init = run(findProgram("mariadb-install-db"), [`--datadir=${data}`, "--user=root", "--skip-test-db"]);
  if (init.status !== 0) throw new Error(init.output);
  const server = startDaemon(name, findProgram("mariadbd"), [
    "--no-defaults",
    `--datadir=${data}`,
    "--user=root",
    "--skip-networking",
    `--socket=${socket}`,
    `--pid-file=${join(dir, "mariadb.pid")}`,
    "--innodb-buffer-pool-size=32M",
  ]);
  const answers = () => run("mariadb", [`--socket=${socket}`, "-N", "-B", "-e", "SELECT 1"]).status === 0;
  await waitFor("the MariaDB socket", answers, 30000).catch((e: Error) => {
    throw new Error(`${e.message}\n${server.output()}`);
  });
  return socket;
}
