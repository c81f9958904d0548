import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { renderTotpGuideMarkdown } from "../../components/security/totp";

describe("docs/security.md", () => {
  it("carries the TOTP guide exactly as the renderer writes it", () => {
    const doc = readFileSync(resolve(__dirname, "../../docs/security.md"), "utf8");
    const guide = renderTotpGuideMarkdown({
      adminUsers: ["root@pam", "admin@pve"],
      webUiUrl: "https://<node>:8006/",
      rootPasswordProviderInUse: true,
    });
    expect(doc).toContain(guide.trim());
  });
});
