/**
 * The runtime kahook runs in, and what kahook needs of it before its first socket, each reached
 * the cheapest way: in Deno through the Deno namespace, since touching globalThis.process there
 * starts Node's compatibility layer (≈ 15 ms); in Node and Bun through process, which costs
 * nothing.
 * @module
 */
import type { Channel } from "node:diagnostics_channel";
import { builtin } from "./builtin.ts";

/** The JavaScript runtimes kahook runs in. */
export type Runtime = "deno" | "bun" | "node";

/**
 * The runtime this code runs in. Deno and Bun also look like Node, so they are tested first. One
 * bundle of the preload serves all three runtimes, which is why the pick is made here rather
 * than by export conditions.
 */
export const runtime: Runtime = "Deno" in globalThis ? "deno" : "Bun" in globalThis ? "bun" : "node";

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
  /** A diagnostics_channel channel, loaded the runtime's cheapest way (Deno: ≈ 5 ms the first time). */
  channel(name: string): Promise<Channel>;
}

/** Node's process, which Bun implements too. Read on use, not when the module loads. */
const processHost: Host = {
  env: (name) => globalThis.process.env[name],
  get os() {
    return globalThis.process.platform;
  },
  get arch() {
    return globalThis.process.arch;
  },
  writeStderr: (text) => void builtin("node:fs").writeSync(2, text),
  exit: (code) => globalThis.process.exit(code),
  channel: (name) => Promise.resolve(builtin("node:diagnostics_channel").channel(name)),
};

/** The part of the Deno namespace the host uses (Deno's own types are not in this build). */
interface DenoHost {
  env: { get(name: string): string | undefined };
  build: { os: string; arch: string };
  stderr: { writeSync(bytes: Uint8Array): number };
  exit(code: number): never;
}

/** Deno.build.arch's names for process.arch's. */
const DENO_ARCH: Record<string, string> = { x86_64: "x64", aarch64: "arm64" };

function denoHost(): Host {
  const Deno = (globalThis as unknown as { Deno: DenoHost }).Deno;
  return {
    env: (name) => Deno.env.get(name),
    get os() {
      return Deno.build.os;
    },
    get arch() {
      return DENO_ARCH[Deno.build.arch] ?? Deno.build.arch;
    },
    writeStderr(text) {
      const bytes = new TextEncoder().encode(text);
      // writeSync may write part of it; a call that writes nothing ends the loop.
      for (let done = 0, written = 1; done < bytes.length && written > 0; done += written) {
        written = Deno.stderr.writeSync(bytes.subarray(done));
      }
    },
    exit: (code) => Deno.exit(code),
    // An import, not process.getBuiltinModule: globalThis.process costs Deno ≈ 15 ms more.
    channel: async (name) => (await import("node:diagnostics_channel")).channel(name),
  };
}

export const host: Host = runtime === "deno" ? denoHost() : processHost;
