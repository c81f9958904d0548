import type { Resilience } from "../../config/resilience";
import { markdownTable } from "./plan-tables";

/** The plan's resilience section: what one node's loss stops, and the single points of failure left. */
export function resilienceMarkdown(resilience: Resilience): string[] {
  const failures = markdownTable(
    ["Node lost", "Services that stop"],
    resilience.nodeFailures.map((f) => [f.node, f.breaks.length ? f.breaks.join(", ") : "none"]),
  );
  const points = resilience.singlePoints.length
    ? markdownTable(
        ["Service", "Guests", "Stopped by losing", "Failover"],
        resilience.singlePoints.map((p) => [
          p.title,
          p.guests.join(", "),
          p.nodes.length ? p.nodes.join(", ") : "(outside the cluster)",
          p.failover,
        ]),
      )
    : "None: every service survives the loss of any one node.";
  return [
    "## Failure of one Proxmox node",
    "",
    failures,
    "",
    "## Single points of failure that remain",
    "",
    points,
    "",
  ];
}
