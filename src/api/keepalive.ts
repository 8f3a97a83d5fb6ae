import { type Libc, loadLibc } from "../runtimes/libc.ts";
import { leaseFd, type Target } from "../fd/index.ts";
import { compileOptions, fromKernel, type KeepAliveOptions, type KeepAliveState } from "../config/options.ts";
import { currentPlatform } from "../sys/index.ts";
import { OPTION_NAMES } from "../sys/platform.ts";
import { setSettings, syscallError } from "../ffi/settings.ts";

export type { Target } from "../fd/index.ts";

/**
 * Sets the given TCP options on a socket, server or fd; absent fields are left alone.
 * Options are validated before any system call. If a setsockopt fails, the options
 * before it stay set and a KahookError names the option and the errno.
 */
export function setKeepAlive(target: Target, options: KeepAliveOptions): void {
  const settings = compileOptions(options);
  if (settings.length === 0) return;
  withFd(target, (libc, fd) => setSettings(libc, fd, settings));
}

/** Reads every option the platform has, in the units setKeepAlive takes (ms for durations). */
export function getKeepAlive(target: Target): KeepAliveState {
  const platform = currentPlatform();
  return withFd(target, (libc, fd) => {
    const state: Record<string, number | boolean> = {};
    const out = new Int32Array(1);
    for (const option of OPTION_NAMES) {
      const spec = platform.options[option];
      if (!spec) continue;
      const errno = libc.getsockopt(fd, spec.level, spec.name, out);
      if (errno !== 0) throw syscallError("getsockopt", fd, option, spec, errno);
      state[option] = fromKernel(option, out[0]);
    }
    return state as KeepAliveState;
  });
}

function withFd<T>(target: Target, use: (libc: Libc, fd: number) => T): T {
  const libc = loadLibc();
  const lease = leaseFd(target, libc);
  try {
    return use(libc, lease.fd);
  } finally {
    lease.release();
  }
}
