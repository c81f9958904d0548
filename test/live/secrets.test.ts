/**
 * Secrets of any string: random values with quotes, `$`, backslashes, backticks, newlines, control
 * characters (no NUL) and non-ASCII go through every renderer that takes a secret (secret-renderers.ts),
 * real bash fills the placeholders, and the tool that uses the file reads the same value back: php,
 * the `yaml` package and amtool, MariaDB (Unix socket in a scratch directory, --skip-networking) and
 * redis-server (Unix socket, no TCP port). Formats that cannot hold every character refuse such a value
 * before anything is written, with a message naming the variable. Bounded: a few runs per renderer.
 */
import { readdirSync, readFileSync } from "node:fs";
import { createConnection } from "node:net";
import { join, relative, resolve } from "node:path";
import fc from "fast-check";
import { placeholdersIn } from "../../components/proxmox/secret-forms";
import { findProgram, scratchDir, startDaemon, stopAllDaemons, waitFor } from "./support/daemon";
import { startScratchMariaDb } from "./support/mariadb";
import {
  RendererContext,
  anyStringRenderers,
  daemonRenderers,
  guardText,
  guardedSecrets,
  runSecretCheck,
} from "./secret-renderers";

const NUM_RUNS = 8;

/** Characters that break quoting somewhere, control characters but NUL, and non-ASCII (C1, BOM, astral). */
const awkward = [
  "'",
  '"',
  "$",
  "\\",
  "`",
  "\n",
  "\r",
  "\t",
  "&",
  "%",
  "#",
  "!",
  " ",
  ";",
  "@@",
  "${X}",
  "\\'",
  // A heredoc delimiter on a line of its own (the nowdoc form the PHP files used to have).
  "\nPROXMOX_SITES_SECRET\n",
  "\x01",
  "\x1b",
  "\x7f",
  "\u0085",
  "\u00a0",
  "é",
  "中",
  "\u2028",
  "\ufeff",
  "😀",
];
const secretChar = fc.oneof(
  fc.constantFrom(...awkward),
  fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 1 }),
  fc.string({ unit: "binary", minLength: 1, maxLength: 1 }).filter((c) => c !== "\0"),
);
/** Always tried first: every awkward character at once. */
const worstCase = awkward.join("");
const anySecret = fc.array(secretChar, { minLength: 1, maxLength: 24 }).map((parts) => parts.join(""));

let scratch: { path: string; remove: () => void };
let mariadbSocket = "";
let redisCount = 0;

beforeAll(async () => {
  scratch = scratchDir("secrets");
  mariadbSocket = await startScratchMariaDb("secrets-mariadb", scratch.path);
}, 60000);

afterAll(async () => {
  await stopAllDaemons();
  scratch?.remove();
});

/** One RESP command on a Unix socket; resolves to the first reply line. */
function redisCommand(socket: string, args: readonly string[]): Promise<string> {
  const frame = Buffer.concat([
    Buffer.from(`*${args.length}\r\n`),
    ...args.map((a) =>
      Buffer.concat([Buffer.from(`$${Buffer.byteLength(a)}\r\n`), Buffer.from(a), Buffer.from("\r\n")]),
    ),
  ]);
  return new Promise((resolvePromise, reject) => {
    const client = createConnection(socket);
    const timer = setTimeout(() => {
      client.destroy();
      reject(new Error("redis did not answer within 5 s"));
    }, 5000);
    let reply = "";
    client.on("data", (chunk) => {
      reply += chunk.toString("utf8");
      if (reply.includes("\r\n")) {
        clearTimeout(timer);
        client.end();
        resolvePromise(reply.split("\r\n")[0]);
      }
    });
    client.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    client.write(frame);
  });
}

const context = (): RendererContext => ({
  scratch: scratch.path,
  mariadbSocket,
  redisWithAcl: async (aclFile) => {
    redisCount += 1;
    const socket = join(scratch.path, `redis-${redisCount}.sock`);
    const daemon = startDaemon(`secrets-redis-${redisCount}`, findProgram("redis-server"), [
      "--port",
      "0",
      "--unixsocket",
      socket,
      "--save",
      "",
      "--appendonly",
      "no",
      "--dir",
      scratch.path,
      "--aclfile",
      aclFile,
    ]);
    await waitFor(
      "the redis socket",
      async () => {
        try {
          return (await redisCommand(socket, ["PING"])).length > 0;
        } catch {
          return false;
        }
      },
      10000,
    ).catch((e: Error) => {
      throw new Error(`${e.message}\n${daemon.output()}`);
    });
    return {
      auth: (user, password) => redisCommand(socket, ["AUTH", user, password]),
      stop: () => daemon.stop(),
    };
  },
});

describe("any string round-trips through every renderer that takes a secret", () => {
  for (const renderer of [...anyStringRenderers, ...daemonRenderers]) {
    test(
      renderer.what,
      async () => {
        await fc.assert(
          fc.asyncProperty(fc.tuple(...renderer.variables.map(() => anySecret)), async (values) => {
            const env = Object.fromEntries(renderer.variables.map((name, i) => [name, values[i]]));
            expect(await renderer.readBack(env, context())).toEqual(env);
          }),
          { numRuns: NUM_RUNS, examples: [[renderer.variables.map(() => worstCase)]] },
        );
      },
      60000,
    );
  }
});

describe("formats that cannot hold every character refuse the secret, naming it", () => {
  const shapeHolds: Record<string, (value: string) => boolean> = {
    "single-line": (v) => !v.includes("\n"),
    "env-file": (v) => !v.includes("\n") && !v.includes("'"),
    "url-safe": (v) => /^[A-Za-z0-9._~-]+$/.test(v),
    quotable: (v) => !/["'\\$`\n]/.test(v),
  };
  for (const shape of Object.keys(shapeHolds) as (keyof typeof shapeHolds)[]) {
    test(`the ${shape} check passes exactly the values of its shape`, () => {
      fc.assert(
        fc.property(anySecret, (value) => {
          const result = runSecretCheck("SOME_SECRET", shape as never, value);
          expect(result.status === 0).toBe(shapeHolds[shape](value));
          if (result.status !== 0) expect(result.stderr).toContain("SOME_SECRET");
        }),
        { numRuns: NUM_RUNS },
      );
    });
  }

  test.each(guardedSecrets.map((g) => [g.variable, g]))("%s is checked before use", (_, guarded) => {
    expect(guarded.script()).toContain(guardText(guarded));
  });
});

describe("the tables cover every renderer that takes a secret", () => {
  const root = resolve(__dirname, "../..");
  const covered = new Set(
    [...anyStringRenderers, ...daemonRenderers, ...guardedSecrets].flatMap((entry) => entry.sources),
  );
  // The toolkit itself: it defines the placeholders and fills them.
  const toolkit = new Set([
    "components/proxmox/script.ts",
    "components/proxmox/secret-forms.ts",
    "components/proxmox/php-string.ts",
    "components/proxmox/php-value.ts",
    "components/proxmox/yaml-text.ts",
  ]);

  function componentFiles(dir: string): string[] {
    return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory()
        ? componentFiles(join(dir, entry.name))
        : entry.name.endsWith(".ts")
          ? [join(dir, entry.name)]
          : [],
    );
  }

  /** Source text without comments: a placeholder named in a doc comment writes nothing. */
  const code = (text: string) => text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");

  test("every component file that writes a secret placeholder is in a table", () => {
    const writers = componentFiles(join(root, "components"))
      .map((file) => relative(root, file))
      .filter((file) => !toolkit.has(file))
      .filter((file) =>
        /@@\$\{|@@[A-Z]|\b(phpSecret|yamlSecret|secretPlaceholder)\(/.test(
          code(readFileSync(join(root, file), "utf8")),
        ),
      );
    expect(writers.filter((file) => !covered.has(file))).toEqual([]);
    // A table naming a file that no longer writes one is stale.
    expect([...covered].filter((file) => !writers.includes(file) && !toolkit.has(file))).toEqual([]);
  });

  test("every placeholder in a guarded script is either any-string or checked in that script", () => {
    const anyString = new Set([...anyStringRenderers, ...daemonRenderers].flatMap((r) => r.variables));
    for (const guarded of guardedSecrets) {
      const script = guarded.script();
      for (const name of placeholdersIn(script)) {
        const checked = guardedSecrets.some((g) => g.variable === name && script.includes(guardText(g)));
        expect({
          name,
          ok: anyString.has(name) || checked || name.endsWith("_HASH") || name.endsWith("_SHA256"),
        }).toEqual({
          name,
          ok: true,
        });
      }
    }
  });
});
