/**
 * cupsd.conf of the print server: CUPS listens on the guest's address (and locally), lets the
 * LAN print, and keeps its web administration to the admin networks (and an @SYSTEM login).
 * Pure: no Pulumi import.
 */

export const CUPSD_CONF_PATH = "/etc/cups/cupsd.conf";
export const IPP_PORT = 631;

export interface CupsdInput {
  /** The guest's address: CUPS listens there. */
  listenIp: string;
  /** Names clients may use for the server (CUPS refuses other Host headers). */
  serverAliases: readonly string[];
  /** Networks that may print. */
  printCidrs: readonly string[];
  /** Networks that may reach the web administration. */
  adminCidrs: readonly string[];
}

const ipv4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

function checkCidr(cidr: string): string {
  const [ip, prefix] = cidr.split("/");
  if (!ipv4.test(ip) || !/^\d+$/.test(prefix ?? "") || Number(prefix) > 32)
    throw new Error(`cupsd: "${cidr}" is not an IPv4 CIDR`);
  return cidr;
}

/** Allow lines: the local machine (lpadmin, the Samba spooler) and the given networks. */
function allow(cidrs: readonly string[]): string[] {
  return ["    Allow localhost", ...[...new Set(cidrs)].map((c) => `    Allow from ${checkCidr(c)}`)];
}

function location(path: string, cidrs: readonly string[], login: boolean): string[] {
  return [
    `<Location ${path}>`,
    ...(login ? ["    AuthType Default", "    Require user @SYSTEM"] : []),
    "    Order allow,deny",
    ...allow(cidrs),
    "</Location>",
  ];
}

/** The default operation policy of Debian's cupsd.conf: jobs by their owner, administration by @SYSTEM. */
const DEFAULT_POLICY = [
  "<Policy default>",
  "    JobPrivateAccess default",
  "    JobPrivateValues default",
  "    SubscriptionPrivateAccess default",
  "    SubscriptionPrivateValues default",
  "    <Limit Create-Job Print-Job Print-URI Validate-Job>",
  "        Order deny,allow",
  "    </Limit>",
  "    <Limit Send-Document Send-URI Hold-Job Release-Job Restart-Job Purge-Jobs Set-Job-Attributes Create-Job-Subscription Renew-Subscription Cancel-Subscription Get-Notifications Reprocess-Job Cancel-Current-Job Suspend-Current-Job Resume-Job Cancel-My-Jobs Close-Job CUPS-Move-Job>",
  "        Require user @OWNER @SYSTEM",
  "        Order deny,allow",
  "    </Limit>",
  "    <Limit CUPS-Get-Document>",
  "        AuthType Default",
  "        Require user @OWNER @SYSTEM",
  "        Order deny,allow",
  "    </Limit>",
  "    <Limit CUPS-Add-Modify-Printer CUPS-Delete-Printer CUPS-Add-Modify-Class CUPS-Delete-Class CUPS-Set-Default CUPS-Get-Devices>",
  "        AuthType Default",
  "        Require user @SYSTEM",
  "        Order deny,allow",
  "    </Limit>",
  "    <Limit Pause-Printer Resume-Printer Enable-Printer Disable-Printer Pause-Printer-After-Current-Job Hold-New-Jobs Release-Held-New-Jobs Deactivate-Printer Activate-Printer Restart-Printer Shutdown-Printer Startup-Printer Promote-Job Schedule-Job-After Cancel-Jobs CUPS-Accept-Jobs CUPS-Reject-Jobs>",
  "        AuthType Default",
  "        Require user @SYSTEM",
  "        Order deny,allow",
  "    </Limit>",
  "    <Limit Cancel-Job CUPS-Authenticate-Job>",
  "        Require user @OWNER @SYSTEM",
  "        Order deny,allow",
  "    </Limit>",
  "    <Limit All>",
  "        Order deny,allow",
  "    </Limit>",
  "</Policy>",
];

/** cupsd.conf text. */
export function renderCupsdConf(input: CupsdInput): string {
  if (!ipv4.test(input.listenIp))
    throw new Error(`cupsd: listenIp "${input.listenIp}" is not an IPv4 address`);
  if (input.printCidrs.length === 0) throw new Error("cupsd: no network may print");
  if (input.adminCidrs.length === 0) throw new Error("cupsd: no admin network");
  for (const alias of input.serverAliases)
    if (!/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/.test(alias))
      throw new Error(`cupsd: bad server alias "${alias}"`);
  return [
    "# Rendered by proxmox-sites (print server): printing from the LAN, administration from the",
    "# admin networks only. Printers are added in the web interface (/admin) or with lpadmin.",
    "LogLevel warn",
    "PageLogFormat",
    "MaxLogSize 0",
    "ErrorPolicy retry-job",
    `Listen 127.0.0.1:${IPP_PORT}`,
    `Listen ${input.listenIp}:${IPP_PORT}`,
    "Listen /run/cups/cups.sock",
    ...(input.serverAliases.length ? [`ServerAlias ${input.serverAliases.join(" ")}`] : []),
    // No printer announcements: clients are given the queue's address (IPP) or the SMB share.
    "Browsing No",
    "DefaultAuthType Basic",
    "WebInterface Yes",
    ...location("/", [...input.printCidrs, ...input.adminCidrs], false),
    ...location("/admin", input.adminCidrs, false),
    ...location("/admin/conf", input.adminCidrs, true),
    ...location("/admin/log", input.adminCidrs, true),
    ...DEFAULT_POLICY,
    "",
  ].join("\n");
}
