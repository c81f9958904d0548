/**
 * nginx site of a Moodle app node: Moodle's code as the document root, PHP through the node's php-fpm
 * socket with Moodle's slash arguments, the client's address taken from the balancer's X-Forwarded-For,
 * files of the shared dataroot served by X-Accel-Redirect only, and the balancer's health page. Pure.
 */
import { isHostName, isIpv4, isPort, type MoodleLayout, Problems } from "./layout";
import { nginxAppServerHeadLines } from "../proxmox/nginx-app-server";

export interface NginxSiteInput {
  /** Public host name of the site (the host of `wwwroot`). */
  serverName: string;
  /** Address nginx listens on; default all addresses. */
  listenAddress?: string;
  /** Port nginx listens on. Default 80 (TLS ends at Cloudflare). */
  listenPort?: number;
  /**
   * Addresses whose X-Forwarded-For is trusted (the balancers, their VIP, the tunnel guest). Only they may
   * fetch the health page.
   */
  trustedProxies: readonly string[];
  /** Largest upload, MB (nginx `client_max_body_size`; keep equal to PHP's upload limit). Default 512. */
  maxUploadMb?: number;
  /** Health page path the balancer checks. Default `/healthz`. */
  healthUri?: string;
  /** How long nginx waits for PHP, seconds (long reports, backups). Default 300. */
  phpTimeoutSeconds?: number;
  /** Directory served; default the layout's code directory (`moodleDocumentRoot` for Moodle ≥ 5.1). */
  documentRoot?: string;
  /** Where the pieces live: the resolved layout (`resolveLayout`). */
  layout: MoodleLayout;
}

/** The URL prefix that `$CFG->xsendfilealiases` maps to the dataroot; internal only. */
export const dataRootAlias = "/dataroot/";

/**
 * Paths never served (Moodle's nginx guide): dot files such as .git, composer's vendor tree, dev and
 * upgrade notes, install XML, test fixtures, and anything named like a dataroot.
 */
const hiddenFiles =
  "(/\\.|/vendor/|/node_modules/|composer\\.(json|lock)|/readme|/README|readme\\.txt|/upgrade\\.txt|/UPGRADING\\.md|db/install\\.xml|/fixtures/|/behat/|phpunit\\.xml|\\.lock|environment\\.xml|/moodledata|/config-dist\\.php)";

/** `/etc/nginx/sites-available/moodle`. */
export function renderNginxSite(input: NginxSiteInput): string {
  const { layout } = input;
  const port = input.listenPort ?? 80;
  const healthUri = input.healthUri ?? "/healthz";
  const maxUploadMb = input.maxUploadMb ?? 512;
  const timeout = input.phpTimeoutSeconds ?? 300;
  const p = new Problems("moodle.nginx");
  p.check(isHostName(input.serverName), "serverName", input.serverName, "a host name");
  if (input.listenAddress !== undefined) {
    p.check(isIpv4(input.listenAddress), "listenAddress", input.listenAddress, "an IPv4 address");
  }
  p.check(isPort(port), "listenPort", port, "a port 1-65535");
  p.check(input.trustedProxies.length > 0, "trustedProxies", input.trustedProxies, "at least one address");
  for (const proxy of input.trustedProxies)
    p.check(isIpv4(proxy), "trustedProxies", proxy, "an IPv4 address");
  // An exact location wins over Moodle's own: /login/index.php here would replace the login page.
  p.check(
    /^\/[A-Za-z0-9._~/-]*$/.test(healthUri) && healthUri !== "/" && !/\.php(\/|$)/.test(healthUri),
    "healthUri",
    healthUri,
    "a path of its own that is not a Moodle script, like /healthz",
  );
  p.check(Number.isInteger(maxUploadMb) && maxUploadMb >= 1, "maxUploadMb", maxUploadMb, "an integer ≥ 1");
  p.check(Number.isInteger(timeout) && timeout >= 1, "phpTimeoutSeconds", timeout, "an integer ≥ 1");
  const documentRoot = input.documentRoot ?? layout.codeDir;
  p.check(/^\/[A-Za-z0-9._/-]*$/.test(documentRoot), "documentRoot", documentRoot, "an absolute path");
  p.throwIfAny();

  const socket = `unix:${layout.fpmSocketPath}`;
  const listen = input.listenAddress === undefined ? `${port}` : `${input.listenAddress}:${port}`;
  const proxies = [...new Set(input.trustedProxies)].sort();
  const healthClients = [...new Set([...proxies, "127.0.0.1"])];
  return [
    ...nginxAppServerHeadLines({
      comment: "Moodle app node. Rendered by proxmox-sites: edits are overwritten.",
      listen,
      serverName: input.serverName,
      root: documentRoot,
      index: "index.php",
      maxUploadMb,
      trustedProxies: proxies,
    }),
    "    # Health page for the balancer; a request that came through it carries X-Forwarded-For and is refused.",
    `    location = ${healthUri} {`,
    ...healthClients.map((client) => `        allow ${client};`),
    "        deny all;",
    "        include /etc/nginx/fastcgi_params;",
    `        fastcgi_param SCRIPT_FILENAME ${layout.healthDir}/health.php;`,
    `        fastcgi_pass ${socket};`,
    "    }",
    "",
    "    # Files of the shared dataroot, handed out by Moodle with X-Accel-Redirect; never reachable directly.",
    `    location ^~ ${dataRootAlias} {`,
    "        internal;",
    `        alias ${layout.dataRoot}/;`,
    "    }",
    "",
    "    # PHP with Moodle's slash arguments: /pluginfile.php/12/mod_page/content/0/a.png. First among the",
    "    # regex locations, so a user file named README.pdf after the script is still served; the script",
    "    # itself must not be one of the hidden files.",
    "    location ~ [^/]\\.php(/|$) {",
    "        fastcgi_split_path_info ^(.+?\\.php)(/.*)$;",
    `        if ($fastcgi_script_name ~ "${hiddenFiles}") {`,
    "            return 404;",
    "        }",
    "        if (!-f $document_root$fastcgi_script_name) {",
    "            return 404;",
    "        }",
    "        include /etc/nginx/fastcgi_params;",
    "        fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;",
    "        fastcgi_param PATH_INFO $fastcgi_path_info;",
    "        fastcgi_index index.php;",
    `        fastcgi_read_timeout ${timeout}s;`,
    `        fastcgi_pass ${socket};`,
    "    }",
    "",
    "    # What Moodle ships but must not serve: dot files (.git), dependency trees, dev and upgrade notes.",
    `    location ~ ${hiddenFiles} {`,
    "        return 404;",
    "    }",
    "",
    "    location / {",
    "        try_files $uri $uri/ =404;",
    "    }",
    "}",
    "",
  ].join("\n");
}
