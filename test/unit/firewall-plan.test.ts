/**
 * plan.md's firewall section is read from the REGISTERED firewall resources (plan.resources), not
 * from the site model: a change to what would be sent to Proxmox changes plan.md. Each case below
 * edits one registered input of a real plan of the school stack and checks the section follows.
 */
import { buildPlan, type BuiltPlan, type Plan, type PlanResource } from "../../scripts/lib/plan-build";
import { planMarkdown } from "../../scripts/lib/plan-markdown";
import { FIREWALL_TYPES } from "../../components/firewall/registered";

let built: BuiltPlan;
beforeAll(async () => {
  built = await buildPlan("school");
});

const section = (plan: Plan) => {
  const md = planMarkdown(plan, built.site);
  return md.slice(md.indexOf("## Firewall matrix"));
};

/** A deep copy of the plan with one registered resource's inputs edited. */
function edited(type: string, name: string, edit: (inputs: Record<string, unknown>) => void): Plan {
  const plan = structuredClone(built.plan);
  const resource = plan.resources.find((r: PlanResource) => r.type === type && r.name === name);
  if (!resource) throw new Error(`no resource ${name} in the plan`);
  edit(resource.inputs);
  return plan;
}

type Rule = { proto?: string; source?: string; comment?: string };

const VRRP_ROW =
  "| moodle-lb2 | 10.10.0.22 | moodle-lb1 (200) | - | vrrp | IN ACCEPT | keepalived VRRP adverts (from moodle-lb2) |";

describe("plan.md's firewall section", () => {
  it("shows each registered guest rule, the node rules and that every guest drops by default", () => {
    const text = section(built.plan);
    expect(text).toContain(VRRP_ROW);
    expect(text).toContain(
      "| 10.10.0.200/29 | 10.10.0.200/29 | every guest | 22 | tcp | IN ACCEPT | admin SSH |",
    );
    expect(text).toContain("| monitoring | 10.10.0.50 | node pve-school | 9100 | tcp | IN ACCEPT |");
    expect(text).toContain("Every guest filters inbound with policy DROP");
    const ruleCount = built.plan.resources
      .filter((r) => r.type === FIREWALL_TYPES.rules && r.inputs.containerId === 200)
      .flatMap((r) => r.inputs.rules as Rule[]).length;
    // Admin SSH is on every guest: it shows once, as "every guest".
    expect(text.split("\n").filter((l) => l.includes("| moodle-lb1 (200) |")).length).toBe(ruleCount - 1);
  });

  it("loses the VRRP row when the registered VRRP rule goes", () => {
    const plan = edited(FIREWALL_TYPES.rules, "firewall-moodle-lb1-rules", (inputs) => {
      inputs.rules = (inputs.rules as Rule[]).filter((r) => r.proto !== "vrrp");
    });
    expect(section(plan)).not.toContain(VRRP_ROW);
    expect(section(built.plan)).toContain(VRRP_ROW);
  });

  it("shows a changed source as registered", () => {
    const plan = edited(FIREWALL_TYPES.rules, "firewall-database-primary-rules", (inputs) => {
      for (const r of inputs.rules as Rule[]) if (r.source === "10.10.0.31") r.source = "10.10.0.0/24";
    });
    expect(section(plan)).toContain(
      "| 10.10.0.0/24 | 10.10.0.0/24 | moodle-db-primary (100) | 3306 | tcp | IN ACCEPT |",
    );
  });

  it("names a guest whose inbound policy is ACCEPT", () => {
    const plan = edited(FIREWALL_TYPES.options, "firewall-moodle-app1-options", (inputs) => {
      inputs.inputPolicy = "ACCEPT";
    });
    const text = section(plan);
    expect(text).toContain(
      "Inbound policy other than DROP (unmatched packets pass): moodle-app1 (210): ACCEPT.",
    );
    expect(text).not.toContain("Every guest filters inbound with policy DROP");
  });

  it("names a guest whose NIC has the firewall flag off", () => {
    const plan = edited(FIREWALL_TYPES.container, "moodle-lb2", (inputs) => {
      (inputs.networkInterfaces as { firewall?: boolean }[])[0].firewall = false;
    });
    expect(section(plan)).toContain(
      "NOT filtered (every inbound packet accepted): moodle-lb2 (201): net0 has firewall=0.",
    );
  });

  it("says nothing is filtered when the cluster firewall is off", () => {
    const plan = edited(FIREWALL_TYPES.cluster, "firewall-cluster", (inputs) => {
      inputs.enabled = false;
    });
    expect(section(plan)).toContain(
      "The cluster firewall is registered but off: Proxmox filters nothing on this site.",
    );
  });
});
