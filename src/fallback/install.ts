/**
 * The second half of install(): the JavaScript hooks, where the interposer cannot install. The
 * preload loads this module only then (its bundles, dist/src/fallback.js and .cjs).
 * @module
 */
import type { SocketPlan } from "../config/plan.ts";
import { runtime } from "../host/host.ts";
import { reportLine } from "../host/report.ts";
import { type Installation, NOTHING } from "../host/shared.ts";
import { socketsFor } from "./configure.ts";
import { installLine } from "./coverage.ts";
import { fallbackHooks } from "./index.ts";

/** Hooks the runtime's sockets with the plan; `why`: why the interposer is not active, which KAHOOK_DEBUG says. */
export function putHooks(plan: SocketPlan, why: string): Installation {
  if (plan.debug) reportLine(installLine(why, runtime));
  const hooked = fallbackHooks.install(socketsFor(plan));
  return { by: "hooks", why, uninstall: hooked ? fallbackHooks.uninstall : NOTHING };
}
