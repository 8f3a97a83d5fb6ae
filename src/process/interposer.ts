/**
 * The first half of install(): the native interposer, which is all the preload loads at
 * start-up. Where it cannot install, the second half (fallback/install.ts) puts the JavaScript
 * hooks in its place, loaded only then.
 * @module
 */
import type { SocketPlan } from "../config/plan.ts";
import { type Installation, NOTHING, shared } from "../host/shared.ts";
import { reportLine } from "../host/report.ts";
import { installInterposer, uninstallInterposer } from "../interposer/index.ts";
import { watchInterposerEvents } from "../observe/channel.ts";

/** The interposer installed, or held by another copy of kahook; or why it cannot be, for the hooks to say. */
export type InterposerOutcome = Installation | { refused: string };

/** Installs the interposer with the plan, unless the plan turns it off (KAHOOK_INTERPOSER=0). */
export function putInterposer(plan: SocketPlan, enabled: boolean): InterposerOutcome {
  if (!enabled) return { refused: "KAHOOK_INTERPOSER=0" };
  const native = installInterposer(plan);
  if ("reason" in native) return native.already ? installed(plan, native.reason, NOTHING) : { refused: native.reason };
  shared.interposerPlan = plan;
  watchInterposerEvents();
  return installed(plan, `${native.slots} slots patched`, uninstallInterposer);
}

function installed(plan: SocketPlan, why: string, uninstall: () => boolean): Installation {
  if (plan.debug) reportLine(`interposer active (${why})`);
  return { by: "interposer", why, uninstall };
}
