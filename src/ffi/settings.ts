/**
 * Settings onto a socket through libc: one setsockopt per setting, nothing else, and the error
 * that names a failed one. The path every configured socket takes outside the interposer.
 * @module
 */
import { KahookError } from "../host/errors.ts";
import type { Setting } from "../config/options.ts";
import { currentPlatform, errnoName } from "../sys/index.ts";
import type { SocketOption } from "../sys/platform.ts";
import type { Libc } from "./libc.ts";

/** The per-socket path: one setsockopt per setting, nothing else. */
export function setSettings(libc: Libc, fd: number, settings: readonly Setting[]): void {
  for (const { option, socketOption, value } of settings) {
    const errno = libc.setsockopt(fd, socketOption.level, socketOption.name, value);
    if (errno !== 0) throw syscallError("setsockopt", fd, option, socketOption, errno, value);
  }
}

/** The error of a failed setsockopt or getsockopt of one option, as setSettings and getKeepAlive throw it. */
export function syscallError(
  syscall: "setsockopt" | "getsockopt",
  fd: number,
  option: string,
  spec: SocketOption,
  errno: number,
  value?: number,
): KahookError {
  const name = errnoName(currentPlatform(), errno);
  const args = value === undefined ? `fd ${fd}, ${spec.constant}` : `fd ${fd}, ${spec.constant}, ${value}`;
  return new KahookError("KAHOOK_ERR_SYSCALL", `${syscall}(${args}) failed for ${option}: ${name}`, {
    errno: name,
    syscall,
    option,
  });
}
