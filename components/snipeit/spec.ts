/** The Snipe-IT tier: asset management from the TurnKey template, its database in MariaDB. */
import { PORTS } from "../../config/ports";
import { definePublishedAppTier } from "../../config/single-guest-tier";

export const snipeItTier = definePublishedAppTier({
  id: "snipe-it",
  stackKey: "snipeIt",
  defaultTemplate: "turnkey-snipeit",
  role: "Snipe-IT asset management",
  stateful: false,
  database: "snipeit",
  port: PORTS.http,
  description: "Snipe-IT",
});
