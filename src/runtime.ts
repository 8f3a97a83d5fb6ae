import type * as diagnostics from "node:diagnostics_channel";
import type * as fs from "node:fs";
import type { createRequire } from "node:module";
import type * as net from "node:net";

/** The JavaScript runtime this code runs in. Deno and Bun also look like Node, so test them first. */
export type Runtime = "deno" | "bun" | "node";

export const runtime: Runtime = "Deno" in globalThis ? "deno" : "Bun" in globalThis ? "bun" : "node";

/**
 * What kahook needs of the runtime before its first socket, each reached the cheapest way: in
 * Deno through the Deno namespace, since touching globalThis.process there starts Node's
 * compatibility layer (≈ 15 ms); in Node and Bun through process, which costs nothing.
 */
export interface Host {
  /** One environment variable. Deno throws NotCapable without --allow-env for it. */
  env(name: string): string | undefined;
  /** The operating system, as process.platform names it: linux, darwin. */
  os: string;
  /** The processor, as process.arch names it: x64, arm64. */
  arch: string;
  /** Writes all of text to fd 2 at once, so lines stay whole and ordered even if the program exits next. */
  writeStderr(text: string): void;
  exit(code: number): never;
}

interface DenoHost {
  env: { get(name: string): string | undefined };
  build: { os: string; arch: string };
  stderr: { writeSync(bytes: Uint8Array): number };
  exit(code: number): never;
}

/** Deno.build.arch's names for process.arch's. */
const DENO_ARCH: Record<string, string> = { x86_64: "x64", aarch64: "arm64" };

function denoHost(deno: DenoHost): Host {
  return {
    env: (name) => deno.env.get(name),
    os: deno.build.os,
    arch: DENO_ARCH[deno.build.arch] ?? deno.build.arch,
    writeStderr(text) {
      const bytes = new TextEncoder().encode(text);
      // writeSync may write part of it; a call that writes nothing ends the loop.
      for (let done = 0, written = 1; done < bytes.length && written > 0; done += written) {
        written = deno.stderr.writeSync(bytes.subarray(done));
      }
    },
    exit: (code) => deno.exit(code),
  };
}

function processHost(process: NodeJS.Process): Host {
  return {
    env: (name) => process.env[name],
    os: process.platform,
    arch: process.arch,
    writeStderr: (text) => void builtin("node:fs").writeSync(2, text),
    exit: (code) => process.exit(code),
  };
}

export const host: Host =
  runtime === "deno" ? denoHost((globalThis as unknown as { Deno: DenoHost }).Deno) : processHost(globalThis.process);

/** The runtime modules kahook loads when it needs them, by name. */
interface Builtins {
  "node:diagnostics_channel": typeof diagnostics;
  "node:fs": typeof fs;
  "node:module": { createRequire: typeof createRequire };
  "node:net": typeof net;
}

/**
 * A runtime module, loaded on first use rather than at start-up: node:net costs Bun ≈ 10 ms and
 * Deno ≈ 8 ms to load, and Node builds an ESM facade for each node: module a module imports.
 */
export function builtin<Name extends keyof Builtins>(name: Name): Builtins[Name] {
  return globalThis.process.getBuiltinModule(name) as Builtins[Name];
}
