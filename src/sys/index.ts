import { KahookError } from "../host/errors.ts";
import { builtin } from "../host/builtin.ts";
import { host } from "../host/host.ts";
import { darwin } from "./darwin.ts";
import { linux } from "./linux.ts";
import type { Platform } from "./platform.ts";

const platforms: Record<string, Platform> = { linux, darwin };

/** The table for an operating system, named as process.platform names it. */
export function platformFor(os: string): Platform {
  const platform = platforms[os];
  if (!platform) {
    throw new KahookError(
      "KAHOOK_ERR_UNSUPPORTED_PLATFORM",
      `kahook does not support ${os}; supported: ${Object.keys(platforms).join(", ")}`,
    );
  }
  return platform;
}

/** The table for the operating system this process runs on. */
export function currentPlatform(): Platform {
  return platformFor(host.os);
}

/** The facilities of the platform table that Linux has and others may lack. */
type Facility = "tcpInfo" | "syscalls" | "retransmission";

/** One of them, or a KahookError naming it when this platform has none. */
export function facility<Name extends Facility>(
  name: Name,
  platform: Platform = currentPlatform(),
): NonNullable<Platform[Name]> {
  const value = platform[name];
  if (!value) throw new KahookError("KAHOOK_ERR_UNSUPPORTED_PLATFORM", `kahook knows no ${name} of ${platform.os}`);
  return value as NonNullable<Platform[Name]>;
}

/** sysctl's name for a /proc/sys path: /proc/sys/net/ipv4/tcp_retries2 is net.ipv4.tcp_retries2. */
export const sysctlName = (path: string): string => path.replace(/^\/proc\/sys\//, "").replaceAll("/", ".");

export function errnoName(platform: Platform, errno: number): string {
  return platform.errno[errno] ?? `errno ${errno}`;
}

/** The system-wide default of a keepalive option, in kernel units (s, or probes). */
export function systemDefault(platform: Platform, option: "idle" | "interval" | "count"): number {
  const path = platform.systemDefaults[option];
  if (!path) {
    throw new KahookError(
      "KAHOOK_ERR_UNSUPPORTED_PLATFORM",
      `the system default of ${option} is unknown on ${platform.os}; give ${option} explicitly`,
      { option },
    );
  }
  return readInteger(path, option);
}

/** The integer a /proc/sys file holds; option names what it is for, in errors. */
export function readInteger(path: string, option?: string): number {
  let text: string;
  try {
    text = builtin("node:fs").readFileSync(path, "utf8");
  } catch (cause) {
    throw new KahookError(
      "KAHOOK_ERR_SYSCALL",
      `cannot read ${option ? `the system default of ${option} from ` : ""}${path}`,
      {
        option,
        syscall: "open",
        errno: (cause as { code?: string }).code,
        cause,
      },
    );
  }
  const value = Number(text.trim());
  if (!Number.isInteger(value)) {
    throw new KahookError("KAHOOK_ERR_SYSCALL", `${path} holds ${JSON.stringify(text)}, not an integer`, { option });
  }
  return value;
}
