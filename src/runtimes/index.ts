import { runtime } from "../host/host.ts";
import type { RuntimeAdapter } from "./adapter.ts";
import { bun } from "./bun.ts";
import { deno } from "./deno.ts";
import { node } from "./node.ts";

export type { RuntimeAdapter } from "./adapter.ts";

/** The adapter of the runtime this code runs in. */
export const adapter: RuntimeAdapter = { node, bun, deno }[runtime];
