import { KahookError } from "../host/errors.ts";
import { adapter } from "./index.ts";
import { host } from "../host/host.ts";
import { currentPlatform } from "../sys/index.ts";
import type { Libc } from "../ffi/libc.ts";

export type { Libc } from "../ffi/libc.ts";

let libc: Libc | undefined;

/** libc through this runtime's FFI, opened on first use and kept. */
export function loadLibc(): Libc {
  return (libc ??= openLibc());
}

/** Tries the platform's libc paths in order; the first that loads wins. */
function openLibc(): Libc {
  const paths = currentPlatform().libc(host.arch);
  const failures: unknown[] = [];
  for (const path of paths) {
    try {
      return adapter.openLibc(path);
    } catch (error) {
      failures.push(error);
    }
  }
  // A path that could not be opened says more than one Deno refused to try (NotCapable: its
  // --allow-ffi names another path): it tells why libc is not where kahook was let look.
  const first = (failures.find((error) => (error as Error)?.name !== "NotCapable") ?? failures[0]) as Error | undefined;
  // The first line only: Node's "Cannot find module" goes on with the require stack.
  const reason = String(first?.message ?? first).split("\n")[0];
  throw new KahookError(
    "KAHOOK_ERR_FFI",
    `cannot load libc through ${adapter.name}'s FFI (tried ${paths.join(", ")}): ${reason}`,
    { syscall: "dlopen", cause: first },
  );
}
