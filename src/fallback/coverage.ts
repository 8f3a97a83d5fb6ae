import type { Runtime } from "../host/host.ts";

// The rows of the README's table ("What is covered") whose sockets the JavaScript hooks leave
// out, as the table words them: a test holds the two together.
const BUN_CLIENTS = "Bun's fetch, Bun.sql, RedisClient, WebSocket client";
const DENO_CLIENTS = "Deno's fetch, Deno.connectTls, Deno.startTls, WebSocket client";
const DENO_SERVERS = "Deno.serve, Deno.listenTls (listener and accepted)";
// Bun's and Deno's --preload runs in the main thread only; Node's runs in every worker.
const WORKERS = "the sockets of worker threads (node:worker_threads, Worker)";
const NATIVE_CODE = "a C library through bun:ffi, Deno.dlopen or koffi, or a Node addon";

/** What the JavaScript hooks leave unconfigured in each runtime, and the interposer configures. */
export const NOT_COVERED: Readonly<Record<Runtime, readonly string[]>> = {
  node: [NATIVE_CODE],
  bun: [BUN_CLIENTS, WORKERS, NATIVE_CODE],
  deno: [DENO_CLIENTS, DENO_SERVERS, WORKERS, NATIVE_CODE],
};

/** What the JavaScript hooks configure, in every runtime (Bun's and Deno's own connect and listen besides). */
export const HOOKS_CONFIGURE = "the JavaScript hooks configure node:net sockets";

/** KAHOOK_DEBUG's line when the JavaScript hooks install, after "kahook: ": why, and what they leave out. */
export function installLine(why: string, runtime: Runtime): string {
  return `interposer not active: ${why}; ${HOOKS_CONFIGURE}; not covered: ${NOT_COVERED[runtime].join("; ")}`;
}
