import { backupCapacity, dataVolumes, pruneBackups, retainedPoints } from "../../config/backup-capacity";
import { guestInventory } from "../../config/inventory";
import { validateSiteConfig } from "../../config/validate";
import { outcomeOf, stackValues } from "./fixtures/validation";

describe("backup retention", () => {
  it("one job's prune options carry every retention, zeros left out", () => {
    expect(pruneBackups({ keepDaily: 30, keepWeekly: 4, keepMonthly: 0 })).toEqual({
      "keep-daily": "30",
      "keep-weekly": "4",
    });
    expect(pruneBackups({ keepDaily: 7, keepWeekly: 4, keepMonthly: 6 })).toEqual({
      "keep-daily": "7",
      "keep-weekly": "4",
      "keep-monthly": "6",
    });
    expect(retainedPoints({ keepDaily: 30, keepWeekly: 4, keepMonthly: 2 })).toBe(36);
  });

  it("the stack's documented 30 days are kept by the one job", () => {
    const { config } = validateSiteConfig("prod", stackValues("prod"));
    expect(pruneBackups(config.backups!)["keep-daily"]).toBe("30");
  });

  it("refuses the old daily/weekly pair by key, and a retention that keeps nothing", () => {
    const raw = stackValues("prod");
    raw.backups.dailySchedule = "02:00";
    expect(outcomeOf(raw).errors).toContain(
      "backups.dailySchedule: is not a known key (check its spelling against docs/configuration.md)",
    );
    const none = stackValues("prod");
    Object.assign(none.backups, { keepDaily: 0, keepWeekly: 0, keepMonthly: 0 });
    expect(outcomeOf(none).errors).toContain(
      "backups.keepDaily: 0 with keepWeekly and keepMonthly 0 keeps no backup",
    );
  });
});

describe("backup storage capacity", () => {
  it("counts every guest's disks and the volumes vzdump includes, × percent × points", () => {
    const { config } = validateSiteConfig("prod", stackValues("prod"));
    const guests = guestInventory(config);
    const cap = backupCapacity(config, guests)!;
    const disks = guests.reduce((s, g) => s + g.diskGb, 0);
    // The Nextclouds' 2 × 4000 GB data volumes are left out.
    expect(dataVolumes(config).map((v) => [v.guest, v.backup])).toEqual([
      ["nextcloud-bowbo", false],
      ["nextcloud-maro", false],
    ]);
    expect(cap).toMatchObject({
      backedUpDiskGb: disks,
      points: 34,
      oneRunGb: Math.round(disks * 0.5),
      retainedGb: Math.round(disks * 0.5) * 34,
      storage: "backups",
      storageSizeGb: 1500,
    });
  });

  it("a data volume the stack puts in vzdump counts in full", () => {
    const raw = stackValues("prod");
    raw.nextcloud.bowbo.data.backup = true;
    raw.backups.storageSizeGb = 100000;
    const { config } = validateSiteConfig("prod", raw);
    const without = validateSiteConfig("prod", stackValues("prod")).config;
    const a = backupCapacity(config, guestInventory(config))!;
    const b = backupCapacity(without, guestInventory(without))!;
    expect(a.backedUpDiskGb - b.backedUpDiskGb).toBe(4000);
  });

  it("warns by key when the retention outgrows the storage, errors when one night does not fit", () => {
    const prod = outcomeOf(stackValues("prod"));
    expect(prod.errors).toEqual([]);
    expect(prod.warnings.find((w) => w.startsWith("backups.storageSizeGb:"))).toMatch(
      /^backups\.storageSizeGb: 1500 GB: the retention keeps about \d+ GB \(\d+ GB of disks × 50 % × 34 points\), [\d.]+ % of the storage \(over 85 %\)/,
    );
    const tiny = stackValues("prod");
    tiny.backups.storageSizeGb = 100;
    expect(outcomeOf(tiny).errors.filter((e) => e.startsWith("backups.storageSizeGb"))).toEqual([
      expect.stringMatching(/^backups\.storageSizeGb: 100 GB cannot hold one night's archives, about \d+ GB/),
    ]);
    const roomy = stackValues("prod");
    roomy.backups.storageSizeGb = 100000;
    expect(outcomeOf(roomy).warnings.filter((w) => w.startsWith("backups."))).toEqual([]);
  });

  it("warns that the check cannot run without the storage's size", () => {
    const raw = stackValues("prod");
    delete raw.backups.storageSizeGb;
    expect(outcomeOf(raw).warnings).toContainEqual(
      expect.stringMatching(/^backups\.storageSizeGb: is not set: the retention keeps about \d+ GB/),
    );
  });
});
