import type * as diagnostics from "node:diagnostics_channel";
import type * as fs from "node:fs";
import type { createRequire } from "node:module";
import type * as net from "node:net";
import type * as tls from "node:tls";

/** The runtime modules kahook loads when it needs them, by name. */
interface Builtins {
  "node:diagnostics_channel": typeof diagnostics;
  "node:fs": typeof fs;
  "node:module": { createRequire: typeof createRequire };
  "node:net": typeof net;
  "node:tls": typeof tls;
}

/**
 * A runtime module, loaded on first use rather than at start-up: node:net costs Bun ≈ 10 ms and
 * Deno ≈ 8 ms to load, and Node builds an ESM facade for each node: module a module imports.
 */
export function builtin<Name extends keyof Builtins>(name: Name): Builtins[Name] {
  return globalThis.process.getBuiltinModule(name) as Builtins[Name];
}
