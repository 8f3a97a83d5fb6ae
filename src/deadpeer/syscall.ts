import { KahookError } from "../host/errors.ts";
import { leaseFd, type Target } from "../fd/index.ts";
import { type Libc, loadLibc } from "../runtimes/libc.ts";
import { currentPlatform, errnoName } from "../sys/index.ts";

/**
 * Makes one Linux-only socket call on a target's fd, such as getsockopt(TCP_INFO). A non-zero
 * errno becomes a KahookError naming the call, with `hints[errno name]` appended when given.
 */
export function linuxSocketCall(
  target: Target,
  syscall: "setsockopt" | "getsockopt",
  constant: string,
  call: (libc: Libc, fd: number) => number,
  hints: Record<string, string> = {},
): void {
  const platform = currentPlatform();
  if (platform.os !== "linux") {
    throw new KahookError("KAHOOK_ERR_UNSUPPORTED_PLATFORM", `${constant} is Linux's; this is ${platform.os}`);
  }
  const libc = loadLibc();
  const lease = leaseFd(target, libc);
  try {
    const errno = call(libc, lease.fd);
    if (errno === 0) return;
    const name = errnoName(platform, errno);
    const hint = hints[name] ? `: ${hints[name]}` : "";
    throw new KahookError("KAHOOK_ERR_SYSCALL", `${syscall}(fd ${lease.fd}, ${constant}) failed: ${name}${hint}`, {
      errno: name,
      syscall,
    });
  } finally {
    lease.release();
  }
}
