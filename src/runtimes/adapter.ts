import type { HandleFd } from "./lease.ts";
import type { Libc } from "../ffi/libc.ts";
import type { Runtime } from "../host/host.ts";
import type { NativeInterposer } from "../ffi/interposer.ts";

/**
 * How kahook reaches one runtime's native side: its FFI (libc, the interposer), the fds behind
 * its node:net handles, its permissions. runtimes/index.ts picks the adapter once.
 */
export interface RuntimeAdapter {
  name: Runtime;
  /** Loads native/build's library through the runtime's own means; throws why it cannot. */
  loadInterposer(path: string): NativeInterposer;
  /** libc at one path through the runtime's FFI; throws when that path cannot be loaded. */
  openLibc(path: string): Libc;
  /** The OS fd behind one of the runtime's node:net handles. */
  handleFd: HandleFd;
  /**
   * The runtime flags kahook needs and this process lacks, given the libc paths the fallback
   * tries and the variables it reads (Deno's --allow-ffi and --allow-env); empty elsewhere.
   */
  missingPermissions(libcPaths: readonly string[], variables: readonly string[]): string[];
}
