/** The Frappe tier: ERPNext in Docker on one guest, its site database in MariaDB and its queues in Redis. */
import { PORTS } from "../../config/ports";
import { definePublishedAppTier } from "../../config/single-guest-tier";

export const frappeTier = definePublishedAppTier({
  id: "frappe",
  stackKey: "frappe",
  defaultTemplate: "ubuntu-22-04",
  role: "ERPNext on Frappe (Docker)",
  stateful: true,
  database: "frappe",
  // Redis for the cache, the job queue and socket.io.
  redis: { account: "frappe", kind: "frappe" },
  port: PORTS.frappe,
  description: "ERPNext",
});
