import type { Host, Runtime, RuntimeAdapter } from "./adapter.ts";
import { bun } from "./bun.ts";
import { deno } from "./deno.ts";
import { node } from "./node.ts";

export type { Host, Runtime, RuntimeAdapter } from "./adapter.ts";
export { builtin } from "./builtin.ts";

/**
 * The adapter of the runtime this code runs in, picked once. Deno and Bun also look like Node, so
 * they are tested first. One bundle of the preload serves all three runtimes, which is why the
 * pick is made here rather than by export conditions.
 */
export const adapter: RuntimeAdapter = "Deno" in globalThis ? deno : "Bun" in globalThis ? bun : node;

/** The runtime's name: node, bun or deno. */
export const runtime: Runtime = adapter.name;

export const host: Host = adapter.host;
