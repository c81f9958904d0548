import { buildProgram } from "./components/program";

// Pulumi runs this file: everything happens in buildProgram, nothing at import time elsewhere.
const outputs = buildProgram();

export const client = outputs.client;
export const guests = outputs.guests;
export const publishedHostnames = outputs.publishedHostnames;
export const databaseHost = outputs.databaseHost;
export const configWarnings = outputs.warnings;
/** True when a node needs a reboot for GPU passthrough settings; the program never reboots a host. */
export const rebootRequired = outputs.rebootRequired;
/** Generated first administrator logins of the applications (secret). */
export const adminLogins = outputs.adminLogins;
