import { ENV_NAMES } from "./env.ts";
import { host, runtime } from "./runtime.ts";
import { currentPlatform } from "./sys/index.ts";

interface DenoPermissions {
  querySync(descriptor: { name: "ffi"; path?: string } | { name: "env"; variable?: string }): { state: string };
}

/**
 * The Deno flags kahook needs and this process lacks: --allow-ffi (for libc, at any of the
 * paths kahook tries) and --allow-env (for the variables it reads). Empty outside Deno, which has
 * no permissions. Only queries, so Deno never prompts on kahook's behalf.
 */
export function missingPermissions(): string[] {
  if (runtime !== "deno") return [];
  const { permissions } = (globalThis as unknown as { Deno: { permissions: DenoPermissions } }).Deno;
  const granted = (descriptor: Parameters<DenoPermissions["querySync"]>[0]) =>
    permissions.querySync(descriptor).state === "granted";
  const missing: string[] = [];
  // A flag granted whole answers in one query; each path and variable costs one more (≈ 0.05 ms).
  const ffi = granted({ name: "ffi" }) || currentPlatform().libc(host.arch).some((path) => granted({ name: "ffi", path }));
  if (!ffi) missing.push("--allow-ffi");
  const denied = granted({ name: "env" }) ? [] : ENV_NAMES.filter((variable) => !granted({ name: "env", variable }));
  if (denied.length === ENV_NAMES.length) missing.push("--allow-env");
  else if (denied.length > 0) missing.push(`--allow-env for ${denied.join(", ")}`);
  return missing;
}
