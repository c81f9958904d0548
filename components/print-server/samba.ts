/**
 * smb.conf of the print server: Samba shares every CUPS queue to Windows clients on the LAN, over
 * SMB2+ on port 445 only (no NetBIOS). Pure: no Pulumi import.
 */

export const SMB_CONF_PATH = "/etc/samba/smb.conf";
export const SAMBA_SPOOL_DIR = "/var/spool/samba";

export interface SambaInput {
  workgroup: string;
  /** The guest's address and the site's prefix length: Samba binds there only. */
  listenIp: string;
  prefixLength: number;
  /** Networks allowed to connect (the LAN and the admin networks). */
  allowCidrs: readonly string[];
  /** Print without an account (guest), or only as a Samba user. */
  guestPrinting: boolean;
}

/** smb.conf text. */
export function renderSmbConf(input: SambaInput): string {
  if (!/^[A-Za-z0-9-]{1,15}$/.test(input.workgroup))
    throw new Error(`samba: workgroup "${input.workgroup}" is not a NetBIOS name`);
  if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(input.listenIp))
    throw new Error(`samba: bad listenIp ${input.listenIp}`);
  if (!Number.isInteger(input.prefixLength) || input.prefixLength < 1 || input.prefixLength > 32)
    throw new Error(`samba: bad prefix length ${input.prefixLength}`);
  for (const c of input.allowCidrs)
    if (!/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(c)) throw new Error(`samba: "${c}" is not an IPv4 CIDR`);
  const allow = [...new Set(["127.0.0.1", ...input.allowCidrs])].join(" ");
  return `# Rendered by proxmox-sites (print server): CUPS printers shared to the LAN.
[global]
   workgroup = ${input.workgroup}
   server string = Print server
   server role = standalone server
   interfaces = 127.0.0.1 ${input.listenIp}/${input.prefixLength}
   bind interfaces only = yes
   hosts allow = ${allow}
   hosts deny = 0.0.0.0/0
   disable netbios = yes
   smb ports = 445
   server min protocol = SMB2_10
   map to guest = ${input.guestPrinting ? "bad user" : "never"}
   load printers = yes
   printing = cups
   printcap name = cups
   disable spoolss = no
   log file = /var/log/samba/log.%m
   max log size = 1000
   logging = file

[printers]
   comment = All printers
   path = ${SAMBA_SPOOL_DIR}
   printable = yes
   guest ok = ${input.guestPrinting ? "yes" : "no"}
   browseable = no
   read only = yes
   create mask = 0700

[print$]
   comment = Printer drivers
   path = /var/lib/samba/printers
   browseable = yes
   read only = yes
   guest ok = no
   write list = root, @lpadmin
`;
}
