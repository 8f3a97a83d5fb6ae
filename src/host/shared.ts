import type { SocketPlan } from "../config/plan.ts";
import type { NativeInterposer } from "../ffi/interposer.ts";
import type { Stats } from "../observe/stats.ts";

/** What install() put in place, why, and how to take it away. */
export interface Installation {
  by: "interposer" | "hooks";
  /**
   * With the interposer, how it holds the slots ("14 slots patched", or who installed it first);
   * with the hooks, why the interposer is not active. KAHOOK_DEBUG and kahook check say it.
   */
  why: string;
  /** false, doing nothing, when this copy of kahook put nothing in place: another one did first. */
  uninstall(): boolean;
}

/** The uninstall of what another copy of kahook put in place first: this one has nothing to take away. */
export const NOTHING = (): boolean => false;

/**
 * What every copy of kahook in one process shares: the preload's bundle, the library's modules,
 * and another version that a dependency brought. It lives on globalThis under a registered
 * symbol, so that one copy installs, and every copy's install(), uninstall() and stats() see it.
 * Its shape is versioned by the symbol's name.
 */
export interface Shared {
  /** What install() put in place, and how to take it away. */
  installed?: Installation;
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
