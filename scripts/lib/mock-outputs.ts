import { randomBytes } from "node:crypto";

const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** Every secret the mocks generated in this process: the secrets audit looks for them. */
export const generatedSecrets = new Set<string>();

/** A value the mock monitor hands back as a secret, like the engine does for secret outputs. */
function secretValue(value: string) {
  generatedSecrets.add(value);
  return { [SECRET_SIG_KEY]: SECRET_SIG, value };
}

/**
 * Where generated material comes from: `length` bytes (random) or characters (passwords) for the
 * resource `name`. The default is random, different every run; the box passes a deterministic
 * source so a second run of a script sees the same passwords.
 */
export interface SecretSource {
  password(name: string, length: number): string;
  bytes(name: string, length: number): Buffer;
}

/** Random stand-ins for generated material: never a real credential, different every run. */
export const randomSecrets: SecretSource = {
  password: (_name, length) => randomBytes(length).toString("base64url").slice(0, length),
  bytes: (_name, length) => randomBytes(length),
};

/**
 * Outputs the providers would compute, for the mock monitor: generated passwords (secret),
 * downloaded template volume ids, the tunnel token.
 */
export function mockOutputs(
  type: string,
  name: string,
  inputs: Record<string, unknown>,
  secrets: SecretSource = randomSecrets,
): Record<string, unknown> {
  switch (type) {
    case "random:index/randomPassword:RandomPassword":
      return { result: secretValue(secrets.password(name, Number(inputs.length ?? 32))) };
    case "random:index/randomBytes:RandomBytes":
      return { base64: secretValue(secrets.bytes(name, Number(inputs.length ?? 32)).toString("base64")) };
    case "proxmoxve:download/file:File":
      return { id: `${inputs.datastoreId}:vztmpl/${inputs.fileName}` };
    case "proxmoxve:hardware/mapping/pci:Pci":
      return { name: inputs.name ?? name };
    case "cloudflare:index/zeroTrustTunnelCloudflared:ZeroTrustTunnelCloudflared":
      return { id: `${name}-tunnel-id`, accountTag: inputs.accountId };
    case "cloudflare:index/getZeroTrustTunnelCloudflaredToken:getZeroTrustTunnelCloudflaredToken":
      return { token: secretValue(secrets.password(`${name}-token`, 120)) };
    default:
      return {};
  }
}
