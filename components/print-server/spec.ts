/** The print server tier: CUPS, its printers shared to Windows clients by Samba. */
import { PORTS } from "../../config/ports";
import { defineSingleGuestTier } from "../../config/single-guest-tier";

export const printServerTier = defineSingleGuestTier({
  id: "print-server",
  stackKey: "printServer",
  defaultTemplate: "debian-12",
  role: "Print server (CUPS, shared by Samba)",
  stateful: false,
  wire(t) {
    if (!t.site.printServer) return;
    t.tcp(t.lan, "print-server", PORTS.ipp, "printing (IPP)");
    t.tcp(t.lan, "print-server", PORTS.smb, "printing (SMB printer shares)");
    t.tcp(t.admins, "print-server", PORTS.ipp, "CUPS administration");
  },
});
