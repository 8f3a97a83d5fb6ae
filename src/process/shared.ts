import type { SocketPlan } from "../hooks/plan.ts";
import type { NativeInterposer } from "../interposer/native.ts";
import type { Stats } from "./observe.ts";

/**
 * What every copy of kahook in one process shares: the preload's bundle, the library's modules,
 * and another version that a dependency brought. It lives on globalThis under a registered
 * symbol, so that one copy installs, and every copy's install(), uninstall() and stats() see it.
 * Its shape is versioned by the symbol's name.
 */
export interface Shared {
  /** What install() put in place, and how to take it away. */
  installed?: { by: "interposer" | "hooks"; uninstall(): boolean };
  /** The native interposer, once loaded. */
  interposer?: NativeInterposer;
  /** The plan the interposer was last installed with: its figures and events name the plan's setting sets. */
  interposerPlan?: SocketPlan;
  /** The JavaScript hooks' counters. */
  counters: Pick<Stats, "configured" | "clients" | "listeners" | "failed">;
}

const KEY = Symbol.for("kahook.shared.v2");

export const shared: Shared = ((globalThis as unknown as Record<symbol, Shared>)[KEY] ??= {
  counters: { configured: 0, clients: 0, listeners: 0, failed: 0 },
});
