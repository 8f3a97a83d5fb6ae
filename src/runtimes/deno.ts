import type { HandleFd } from "./lease.ts";
import { libcFrom } from "../ffi/libc.ts";
import { type Bound, declare, LIBC, type Prototype } from "../ffi/prototypes.ts";
import { interposerFrom } from "../ffi/interposer.ts";
import type { RuntimeAdapter } from "./adapter.ts";

/** The part of the Deno namespace this adapter uses (Deno's own types are not in this build). */
interface DenoNamespace {
  dlopen(
    path: string,
    symbols: Record<string, { parameters: string[]; result: string }>,
  ): { symbols: Record<string, unknown> };
  UnsafePointerView: new (pointer: unknown) => { getInt32(offset?: number): number };
  UnsafePointer: { of(buffer: ArrayBufferView): unknown; value(pointer: unknown): bigint | number };
  permissions: {
    querySync(descriptor: { name: "ffi"; path?: string } | { name: "env"; variable?: string }): { state: string };
  };
}

const Deno = (globalThis as unknown as { Deno: DenoNamespace }).Deno;

// Deno.dlopen passes a typed array as "buffer" and returns a pointer object as "pointer".
function bind<Table extends Record<string, Prototype>>(path: string, table: Table): Bound<Table> {
  const declared = declare(
    table,
    ({ result, args }) => ({ parameters: args.map((type) => (type === "pointer" ? "buffer" : type)), result }),
  );
  return Deno.dlopen(path, declared).symbols as Bound<Table>;
}

/** Handles expose no fd, but fdForIpc() returns a dup of it, which must be closed after use. */
const dupFd: HandleFd = (handle, libc) => {
  type DenoHandle = { fdForIpc?: () => number; _parent?: DenoHandle };
  const owner = handle as DenoHandle;
  // A TLS handle wraps the TCP handle that owns the fd.
  const tcp = typeof owner.fdForIpc === "function" ? owner : owner._parent;
  let fd: number;
  try {
    fd = tcp?.fdForIpc?.() ?? -1;
  } catch {
    return undefined;
  }
  if (fd < 0) return undefined;
  return { fd, release: () => void libc.close(fd) };
};

/**
 * Only queries, so Deno never prompts on kahook's behalf. A flag granted whole answers in one
 * query; each path and variable costs one more (≈ 0.05 ms).
 */
function missingPermissions(libcPaths: readonly string[], variables: readonly string[]): string[] {
  const granted = (descriptor: Parameters<DenoNamespace["permissions"]["querySync"]>[0]) =>
    Deno.permissions.querySync(descriptor).state === "granted";
  const missing: string[] = [];
  if (!granted({ name: "ffi" }) && !libcPaths.some((path) => granted({ name: "ffi", path }))) {
    missing.push("--allow-ffi");
  }
  const denied = granted({ name: "env" }) ? [] : variables.filter((variable) => !granted({ name: "env", variable }));
  if (denied.length === variables.length) missing.push("--allow-env");
  else if (denied.length > 0) missing.push(`--allow-env for ${denied.join(", ")}`);
  return missing;
}

/** Deno: the Deno namespace for everything, Deno.dlopen for FFI (≈ 1.3 ms to load), node:net's fds as dups. */
export const deno: RuntimeAdapter = {
  name: "deno",
  loadInterposer: (path) => interposerFrom((table) => bind(path, table)),
  openLibc(path) {
    const c = bind(path, LIBC);
    const errno = new Deno.UnsafePointerView(c.__errno_location());
    return libcFrom(
      c,
      () => errno.getInt32(),
      (buffer) => BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(buffer))),
    );
  },
  handleFd: dupFd,
  missingPermissions,
};
