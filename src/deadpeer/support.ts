import { spawnSync } from "../host/spawn.ts";
import { readFileSync } from "node:fs";
import process from "node:process";

/** Bit 12 of the capability sets (<linux/capability.h>): what SO_ATTACH_FILTER needs. */
const CAP_NET_ADMIN = 12n;

/**
 * Where a vanished peer can be simulated: here (this process has CAP_NET_ADMIN), in a user and
 * network namespace of its own (where it is root without being root outside), or nowhere.
 */
export type Support =
  | { where: "here" }
  | { where: "namespace" }
  | { where: "nowhere"; reason: string };

function hasNetAdmin(): boolean {
  const status = readFileSync("/proc/self/status", "utf8");
  const effective = status.match(/^CapEff:\s*([0-9a-f]+)$/m)?.[1];
  return effective !== undefined && ((BigInt(`0x${effective}`) >> CAP_NET_ADMIN) & 1n) === 1n;
}

/**
 * The command that runs `binary args` as root of a new user and network namespace, with its
 * loopback interface up (a new network namespace starts with it down). Needs util-linux's
 * `unshare` and iproute2's `ip`, and user namespaces allowed for this user.
 */
export function inNamespace(binary: string, args: readonly string[]): { binary: string; args: string[] } {
  return { binary: "unshare", args: ["-Urn", "sh", "-c", 'ip link set lo up && exec "$@"', "sh", binary, ...args] };
}

/** Tries the namespace with `true`, so that a missing tool or a refused namespace shows at once. */
function namespaceFailure(): string | undefined {
  const { binary, args } = inNamespace("true", []);
  const result = spawnSync(binary, args, { encoding: "utf8", timeout: 10_000 });
  if (result.error) return `${binary}: ${result.error.message}`;
  if (result.status !== 0) return `\`${binary} -Urn\` failed: ${result.stderr.trim() || `exit ${result.status}`}`;
  return undefined;
}

export function simulationSupport(): Support {
  if (process.platform !== "linux") {
    return { where: "nowhere", reason: `the simulation uses Linux's socket filters; this is ${process.platform}` };
  }
  if (hasNetAdmin()) return { where: "here" };
  const failure = namespaceFailure();
  if (failure === undefined) return { where: "namespace" };
  return {
    where: "nowhere",
    reason: `this process lacks CAP_NET_ADMIN, and no user namespace could be made (${failure})`,
  };
}
