/**
 * The preload: `node --import kahook/register`, `bun --preload kahook/register`,
 * `deno run --allow-ffi --allow-env --preload <kahook>/src/register.ts`.
 * Reads the environment and installs the hooks. An invalid configuration stops the program
 * before it starts, with one line naming the variable and exit status 78 (EX_CONFIG):
 * running without the protection the operator asked for would go unnoticed until a
 * connection hangs. A Deno sandbox without FFI or environment access is different: the
 * operator chose it, and kahook cannot work inside it, so one line says so and the program
 * runs on without kahook.
 * @module
 */
import { EX_CONFIG } from "./commands/exit.ts";
import { ENV_NAMES } from "./config/env.ts";
import { install } from "./process/install.ts";
import { adapter } from "./runtimes/index.ts";
import { host } from "./host/host.ts";
import { currentPlatform } from "./sys/index.ts";

// Deno's --allow-ffi for libc at any path the fallback tries, and --allow-env for the variables read.
const missing = adapter.missingPermissions(currentPlatform().libc(host.arch), ENV_NAMES);
if (missing.length > 0) {
  host.writeStderr(
    `kahook: not active: Deno was run without ${missing.join(" and ")}; the program runs without kahook\n`,
  );
} else {
  try {
    install();
  } catch (error) {
    host.writeStderr(`kahook: ${(error as Error).message}\n`);
    host.exit(EX_CONFIG);
  }
}
