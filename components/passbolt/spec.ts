/** The Passbolt tier: the password manager on one guest, its database in MariaDB. */
import { PORTS } from "../../config/ports";
import { definePublishedAppTier } from "../../config/single-guest-tier";

export const passboltTier = definePublishedAppTier({
  id: "passbolt",
  stackKey: "passbolt",
  defaultTemplate: "ubuntu-22-04",
  role: "Passbolt password manager",
  stateful: true,
  database: "passbolt",
  port: PORTS.http,
  description: "Passbolt",
});
