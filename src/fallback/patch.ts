/**
 * Replacing a runtime's methods and putting them back: what every runtime's hooks do. The
 * originals are kept on the object itself, under a registered symbol, so that any copy of kahook
 * in the process sees that the methods are replaced already, and can restore them.
 * @module
 */
import type { ClientSettings, SocketPlan } from "../config/plan.ts";

type Methods<Target, Name extends keyof Target> = Pick<Target, Name>;

/**
 * Replaces the named methods of target with what `wrap` makes of the originals; false, doing
 * nothing, when they are replaced already (under the same key).
 */
export function replaceMethods<Target extends object, Name extends keyof Target>(
  target: Target,
  key: symbol,
  names: readonly Name[],
  wrap: (originals: Methods<Target, Name>) => Methods<Target, Name>,
): boolean {
  const holder = target as Record<symbol, unknown>;
  if (holder[key]) return false;
  const originals = Object.fromEntries(names.map((name) => [name, target[name]])) as Methods<Target, Name>;
  Object.assign(target, wrap(originals));
  holder[key] = originals;
  return true;
}

/** Puts back the methods replaced under key; false when there are none. */
export function restoreMethods(target: object, key: symbol): boolean {
  const holder = target as Record<symbol, object | undefined>;
  const originals = holder[key];
  if (!originals) return false;
  Object.assign(target, originals);
  delete holder[key];
  return true;
}

/**
 * What to set again after the program's setKeepAlive(enable, delay), which resets idle, interval
 * and count to the runtime's: a client's settings (chosen by its destination), or else those of
 * an accepted socket; and the label its debug line and event carry.
 */
export function afterSetKeepAlive(
  plan: SocketPlan,
  client: ClientSettings | undefined,
  enable: unknown,
  delay: unknown,
): { label: string; settings: ClientSettings["afterSetKeepAlive"] } {
  return {
    label: `${client?.label ?? "accepted"} after setKeepAlive(${enable}, ${delay})`,
    settings: (client ? client.afterSetKeepAlive : plan.serverAfterSetKeepAlive) ?? [],
  };
}
