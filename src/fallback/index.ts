import { type Runtime, runtime } from "../host/host.ts";
import { bunHooks } from "./bun.ts";
import type { RuntimeHooks } from "./configure.ts";
import { denoHooks } from "./deno.ts";
import { nodeHooks } from "./node.ts";

/** Each runtime's JavaScript hooks: node:net at the TCP handle (Node, Deno) or net.Socket (Bun), and Bun's and Deno's own connect and listen. */
const HOOKS: Record<Runtime, RuntimeHooks> = { node: nodeHooks, bun: bunHooks, deno: denoHooks };

/** The JavaScript hooks of the runtime this code runs in: the fallback where the interposer cannot load. */
export const fallbackHooks: RuntimeHooks = HOOKS[runtime];
