import type { Channel } from "node:diagnostics_channel";
import type { HandleFd } from "../fd/lease.ts";
import type { Libc } from "../ffi/libc.ts";
import type { RuntimeHooks } from "../hooks/configure.ts";
import type { NativeInterposer } from "../interposer/native.ts";

/** The JavaScript runtimes kahook runs in. */
export type Runtime = "deno" | "bun" | "node";

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
  /** Calls run every ms milliseconds, on a timer that never keeps the process alive. */
  every(ms: number, run: () => void): void;
  /** A diagnostics_channel channel, loaded the runtime's cheapest way (Deno: ≈ 5 ms the first time). */
  channel(name: string): Promise<Channel>;
}

/** Everything kahook does differently in one runtime. runtimes/index.ts picks the adapter once. */
export interface RuntimeAdapter {
  name: Runtime;
  host: Host;
  /** Loads native/build's library through the runtime's own means; throws why it cannot. */
  loadInterposer(path: string): NativeInterposer;
  /** libc at one path through the runtime's FFI; throws when that path cannot be loaded. */
  openLibc(path: string): Libc;
  /** The OS fd behind one of the runtime's node:net handles. */
  handleFd: HandleFd;
  /** The JavaScript hooks: the fallback where the interposer cannot load. */
  hooks: RuntimeHooks;
  /**
   * The runtime flags kahook needs and this process lacks, given the libc paths the fallback
   * tries and the variables it reads (Deno's --allow-ffi and --allow-env); empty elsewhere.
   */
  missingPermissions(libcPaths: readonly string[], variables: readonly string[]): string[];
}
