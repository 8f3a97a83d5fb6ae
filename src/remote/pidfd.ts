import { KahookError } from "../host/errors.ts";
import type { Libc } from "../ffi/libc.ts";
import { currentPlatform, errnoName, facility } from "../sys/index.ts";

/** A handle on another process through which its fds can be duplicated into this one. */
export interface ProcessHandle {
  /** pidfd_getfd: a duplicate of the process's fd (close-on-exec), or undefined if it has no such fd now. */
  duplicate(fd: number): number | undefined;
  close(): void;
}

/** pidfd_open(pid): throws a KahookError that says what to do for ESRCH, ENOSYS and EPERM. */
export function openProcess(libc: Libc, pid: number): ProcessHandle {
  if (!Number.isInteger(pid) || pid <= 0) {
    throw new KahookError("KAHOOK_ERR_INVALID_TARGET", `invalid process id: ${pid}`);
  }
  // Through syscall(2): musl and glibc before 2.36 have no wrappers.
  const { pidfdOpen, pidfdGetfd } = facility("syscalls");
  const pidfd = libc.syscall(pidfdOpen, pid, 0, 0);
  if (pidfd < 0) throw processError("pidfd_open", `pidfd_open(${pid})`, -pidfd);
  return {
    duplicate(fd) {
      const copy = libc.syscall(pidfdGetfd, pidfd, fd, 0);
      if (copy >= 0) return copy;
      // EBADF: the process closed that fd since it was listed.
      if (errnoName(currentPlatform(), -copy) === "EBADF") return undefined;
      throw processError("pidfd_getfd", `pidfd_getfd(${pid}, fd ${fd})`, -copy);
    },
    close: () => void libc.close(pidfd),
  };
}

// pidfd_getfd answers EPERM and /proc/PID/fd EACCES for the same reason.
const DENIED = "permission denied: reaching another process's sockets needs ptrace permission over it " +
  "(the same user, with kernel.yama.ptrace_scope 0 where Yama is on, or CAP_SYS_PTRACE, e.g. root)";
const ADVICE: Record<string, string> = {
  ESRCH: "no such process",
  ENOSYS: "this kernel lacks pidfd_open/pidfd_getfd, which need Linux 5.6 or later",
  EPERM: DENIED,
  EACCES: DENIED,
};

/**
 * The error for a failed step on another process, saying what to do for ESRCH, ENOSYS and
 * EPERM/EACCES. errno is a number, or a name as node:fs gives it.
 */
export function processError(syscall: string, what: string, errno: number | string): KahookError {
  const name = typeof errno === "number" ? errnoName(currentPlatform(), errno) : errno;
  const code = name === "ENOSYS" ? "KAHOOK_ERR_UNSUPPORTED_PLATFORM" : "KAHOOK_ERR_SYSCALL";
  return new KahookError(code, `${what} failed: ${ADVICE[name] ?? name}`, { errno: name, syscall });
}
