/** The print server tier: CUPS, its printers shared to Windows clients by Samba. */
import { PORTS } from "../../config/ports";
import { defineTier, lxcPlan } from "../../config/tier-spec";

export const printServerTier = defineTier({
  id: "print-server",
  stackKey: "printServer",
  defaultTemplate: "debian-12",
  guests(site) {
    if (!site.printServer) return [];
    return [
      lxcPlan(
        site,
        this,
        "print-server",
        "printServer",
        site.printServer,
        "Print server (CUPS, shared by Samba)",
        false,
      ),
    ];
  },
  wire(t) {
    if (!t.site.printServer) return;
    t.tcp(t.lan, "print-server", PORTS.ipp, "printing (IPP)");
    t.tcp(t.lan, "print-server", PORTS.smb, "printing (SMB printer shares)");
    t.tcp(t.admins, "print-server", PORTS.ipp, "CUPS administration");
  },
});
