/**
 * The web guests' nginx proxy config, proven on the real nginx: `nginx -t`, then nginx on 127.30.0.130 in
 * front of a small Node HTTP app on 127.30.0.131. 127.30.0.132 plays the cloudflared guest (trusted proxy),
 * 127.30.0.133 a LAN client nginx must not believe. Loopback block 127.30.0.128/25 only.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import http from "node:http";
import { AddressInfo, Socket } from "node:net";
import { join } from "node:path";
import { renderNginxProxyConfig } from "../../components/webapps/nginx";
import {
  RunningDaemon,
  findProgram,
  run,
  scratchDir,
  startDaemon,
  stopAllDaemons,
  waitForPort,
} from "./support/daemon";

const NGINX_IP = "127.30.0.130";
const NGINX_PORT = 18080;
const APP_IP = "127.30.0.131";
const TUNNEL_IP = "127.30.0.132";
const LAN_IP = "127.30.0.133";

interface Seen {
  method?: string;
  url?: string;
  headers: http.IncomingHttpHeaders;
  upgrade?: boolean;
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

const scratch = scratchDir("web-frontends");
const staticRoot = join(scratch.path, "static");
const seen: Seen[] = [];
let app: http.Server;
let appPort = 0;
let nginx: RunningDaemon | undefined;
let proxyConfig = "";
let nginxConf = "";

function ask(
  hostHeader: string | undefined,
  path: string,
  opts: { from?: string; headers?: http.OutgoingHttpHeaders; method?: string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: http.OutgoingHttpHeaders = { ...opts.headers };
    if (hostHeader !== undefined) headers.host = hostHeader;
    const req = http.request(
      {
        host: NGINX_IP,
        port: NGINX_PORT,
        path,
        method: opts.method ?? "GET",
        headers,
        localAddress: opts.from ?? LAN_IP,
        agent: false,
        timeout: 5000,
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (body += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on("timeout", () => req.destroy(new Error("timed out")));
    req.on("error", reject);
    req.end();
  });
}

function lastSeen(url: string): Seen | undefined {
  return [...seen].reverse().find((s) => s.url === url);
}

beforeAll(async () => {
  mkdirSync(staticRoot);
  writeFileSync(join(staticRoot, "hello.txt"), "served by nginx from the static root\n");

  app = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      seen.push({ method: req.method, url: req.url, headers: req.headers });
      res.writeHead(200, { "content-type": "application/json", "x-served-by": "app" });
      res.end(JSON.stringify({ url: req.url }));
    });
  });
  app.on("upgrade", (req: http.IncomingMessage, socket: Socket) => {
    seen.push({ method: req.method, url: req.url, headers: req.headers, upgrade: true });
    socket.write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n");
    socket.pipe(socket);
  });
  await new Promise<void>((resolve) => app.listen(0, APP_IP, resolve));
  appPort = (app.address() as AddressInfo).port;

  proxyConfig = renderNginxProxyConfig({
    listenAddress: NGINX_IP,
    listenPort: NGINX_PORT,
    trustedProxies: [TUNNEL_IP],
    sites: [
      {
        hostname: "www.example.test",
        aliases: ["example.test"],
        upstreamHost: APP_IP,
        upstreamPort: appPort,
      },
      {
        hostname: "static.example.test",
        upstreamHost: APP_IP,
        upstreamPort: appPort,
        staticRoot,
        clientMaxBodySizeMb: 1,
      },
    ],
  });
  const proxyPath = join(scratch.path, "proxmox-sites.conf");
  writeFileSync(proxyPath, proxyConfig);
  nginxConf = join(scratch.path, "nginx.conf");
  const template = readFileSync(join(__dirname, "fixtures/web/nginx.conf.template"), "utf8");
  writeFileSync(
    nginxConf,
    template.replaceAll("@SCRATCH@", scratch.path).replaceAll("@PROXY_CONF@", proxyPath),
  );
});

afterAll(async () => {
  await stopAllDaemons();
  await new Promise<void>((resolve) => (app ? app.close(() => resolve()) : resolve()));
  scratch.remove();
});

test("nginx -t accepts the rendered proxy config", () => {
  const result = run(findProgram("nginx"), [
    "-t",
    "-p",
    scratch.path,
    "-e",
    join(scratch.path, "error.log"),
    "-c",
    nginxConf,
  ]);
  expect(result.output).toContain("syntax is ok");
  expect(result.status).toBe(0);
});

test("nginx starts with it on the guest address", async () => {
  nginx = startDaemon("nginx", findProgram("nginx"), [
    "-p",
    scratch.path,
    "-e",
    join(scratch.path, "error.log"),
    "-c",
    nginxConf,
  ]);
  await waitForPort(NGINX_IP, NGINX_PORT, 10000).catch((err: Error) => {
    throw new Error(
      `${err.message}\n${nginx?.output()}\n${readFileSync(join(scratch.path, "error.log"), "utf8")}`,
    );
  });
});

test("a site's Host reaches the app with X-Forwarded-* headers", async () => {
  const answer = await ask("www.example.test", "/plain");
  expect(answer.status).toBe(200);
  expect(answer.headers["x-served-by"]).toBe("app");
  const got = lastSeen("/plain");
  expect(got?.headers.host).toBe("www.example.test");
  expect(got?.headers["x-forwarded-host"]).toBe("www.example.test");
  expect(got?.headers["x-forwarded-proto"]).toBe("http");
  expect(got?.headers["x-forwarded-for"]).toBe(LAN_IP);
  expect(got?.headers["x-real-ip"]).toBe(LAN_IP);
  expect(nginx?.output()).not.toContain("emerg");
});

test("an alias of the site is served too", async () => {
  const answer = await ask("example.test", "/alias");
  expect(answer.status).toBe(200);
  expect(lastSeen("/alias")?.headers.host).toBe("example.test");
});

test("the client address and scheme are taken from the tunnel connector", async () => {
  const answer = await ask("www.example.test", "/via-tunnel", {
    from: TUNNEL_IP,
    headers: {
      "CF-Connecting-IP": "203.0.113.9",
      "X-Forwarded-Proto": "https",
      "X-Forwarded-For": "198.51.100.1",
    },
  });
  expect(answer.status).toBe(200);
  const got = lastSeen("/via-tunnel");
  expect(got?.headers["x-real-ip"]).toBe("203.0.113.9");
  expect(got?.headers["x-forwarded-for"]).toBe("203.0.113.9");
  expect(got?.headers["x-forwarded-proto"]).toBe("https");
});

test("the same headers from anyone else are ignored", async () => {
  const answer = await ask("www.example.test", "/forged", {
    from: LAN_IP,
    headers: {
      "CF-Connecting-IP": "203.0.113.9",
      "X-Forwarded-Proto": "https",
      "X-Forwarded-For": "203.0.113.9",
    },
  });
  expect(answer.status).toBe(200);
  const got = lastSeen("/forged");
  expect(got?.headers["x-real-ip"]).toBe(LAN_IP);
  expect(got?.headers["x-forwarded-for"]).toBe(LAN_IP);
  expect(got?.headers["x-forwarded-proto"]).toBe("http");
});

test("an unknown Host is refused without an answer and never reaches the app", async () => {
  const before = seen.length;
  await expect(ask("unknown.example.test", "/unknown")).rejects.toThrow(/socket hang up|ECONNRESET/);
  await expect(ask("203.0.113.50", "/by-ip", { from: TUNNEL_IP })).rejects.toThrow(
    /socket hang up|ECONNRESET/,
  );
  expect(seen.length).toBe(before);
});

test("a WebSocket upgrade is passed through to the app", async () => {
  const echoed = await new Promise<{ status: number; upgrade?: string; echo: string }>((resolve, reject) => {
    const req = http.request({
      host: NGINX_IP,
      port: NGINX_PORT,
      path: "/socket",
      localAddress: TUNNEL_IP,
      agent: false,
      timeout: 5000,
      headers: { host: "www.example.test", connection: "Upgrade", upgrade: "websocket" },
    });
    req.on("upgrade", (res, socket: Socket) => {
      socket.once("data", (data: Buffer) => {
        resolve({ status: res.statusCode ?? 0, upgrade: res.headers.upgrade, echo: data.toString() });
        socket.destroy();
      });
      socket.write("ping through nginx");
    });
    req.on("response", (res) => reject(new Error(`no upgrade: HTTP ${res.statusCode}`)));
    req.on("timeout", () => req.destroy(new Error("timed out")));
    req.on("error", reject);
    req.end();
  });
  expect(echoed.status).toBe(101);
  expect(echoed.upgrade).toBe("websocket");
  expect(echoed.echo).toBe("ping through nginx");
  const got = lastSeen("/socket");
  expect(got?.upgrade).toBe(true);
  expect(got?.headers.connection?.toLowerCase()).toBe("upgrade");
});

test("files in the static root are served by nginx, the rest goes to the app", async () => {
  const file = await ask("static.example.test", "/hello.txt");
  expect(file.status).toBe(200);
  expect(file.body).toBe("served by nginx from the static root\n");
  expect(file.headers["x-served-by"]).toBeUndefined();
  expect(lastSeen("/hello.txt")).toBeUndefined();
  const dynamic = await ask("static.example.test", "/api/items");
  expect(dynamic.status).toBe(200);
  expect(dynamic.headers["x-served-by"]).toBe("app");
});

test("a body over the site's client_max_body_size is refused before the app", async () => {
  const answer = await ask("static.example.test", "/upload", {
    method: "POST",
    headers: { "content-length": String(2 * 1024 * 1024), "content-type": "application/octet-stream" },
  }).catch((err: Error) => ({ status: -1, headers: {}, body: err.message }));
  expect(answer.status).toBe(413);
  expect(lastSeen("/upload")).toBeUndefined();
});
