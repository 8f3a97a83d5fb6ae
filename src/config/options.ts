import { KahookError, show } from "../host/errors.ts";
import { currentPlatform, systemDefault } from "../sys/index.ts";
import { OPTION_NAMES, type OptionName, type Platform, type SocketOption } from "../sys/platform.ts";

/**
 * TCP options for one socket. An absent (undefined) field leaves that option as it is.
 * Durations are in milliseconds, as in Node; the ones the kernel counts in seconds are
 * rounded up to whole seconds (1 ms becomes 1 s).
 */
export interface KeepAliveOptions {
  /** SO_KEEPALIVE: send keepalive probes on an idle connection. */
  enable?: boolean;
  /** TCP_KEEPIDLE: idle time before the first probe, ms (rounded up to s; Linux 1..32767 s). */
  idle?: number;
  /** TCP_KEEPINTVL: time between probes, ms (rounded up to s; Linux 1..32767 s). */
  interval?: number;
  /** TCP_KEEPCNT: unanswered probes before the connection is dropped (Linux 1..127). */
  count?: number;
  /** TCP_USER_TIMEOUT: how long sent data may stay unacknowledged, ms (0 = system default). */
  userTimeout?: number;
  /** TCP_SYNCNT: SYN retransmissions before connect gives up (Linux 1..127). */
  synCount?: number;
  /** TCP_DEFER_ACCEPT: wake a listener only once data arrives, ms (rounded up to s; 0 = off). */
  deferAccept?: number;
  /** TCP_MAXSEG: largest segment to send, bytes (Linux 88..32767; only before connect). */
  maxSegment?: number;
  /** TCP_WINDOW_CLAMP: largest receive window to advertise, bytes. */
  windowClamp?: number;
}

/** What getKeepAlive reports: every option the platform has, in setKeepAlive's units. */
export type KeepAliveState = KeepAliveOptions;

/** How the public unit of each option maps to the kernel's. */
type Unit = "boolean" | "seconds" | "milliseconds" | "probes" | "bytes";

const units: Record<OptionName, Unit> = {
  enable: "boolean",
  idle: "seconds",
  interval: "seconds",
  count: "probes",
  userTimeout: "milliseconds",
  synCount: "probes",
  deferAccept: "seconds",
  maxSegment: "bytes",
  windowClamp: "bytes",
};

const MS_PER_S = 1000;

/** One validated setsockopt call: the value is already in kernel units. */
export interface Setting {
  /** Which option, by its setKeepAlive name. */
  option: OptionName;
  /** Where the kernel takes it. */
  socketOption: SocketOption;
  /** The value, in kernel units (s, ms, probes or bytes). */
  value: number;
}

/** The kernel's range of an option, expressed in the public unit. */
function publicRange(option: OptionName, spec: SocketOption): [number, number] {
  if (units[option] !== "seconds") return [spec.min, spec.max];
  // ceil(ms / 1000) must land in [min, max] seconds.
  return [spec.min === 0 ? 0 : (spec.min - 1) * MS_PER_S + 1, spec.max * MS_PER_S];
}

function describeRange(option: OptionName, spec: SocketOption, platform: Platform): string {
  const [low, high] = publicRange(option, spec);
  const unit = units[option] === "seconds" || units[option] === "milliseconds" ? " ms" : "";
  const kernel = units[option] === "seconds"
    ? ` (${spec.constant} takes ${spec.min}..${spec.max} s on ${platform.os}; ms are rounded up to whole seconds)`
    : ` (${spec.constant} on ${platform.os})`;
  return `an integer ${low}..${high}${unit}${kernel}`;
}

export function socketOption(option: OptionName, platform: Platform): SocketOption {
  const spec = platform.options[option];
  if (!spec) {
    throw new KahookError(
      "KAHOOK_ERR_UNSUPPORTED_OPTION",
      `${option} is not available on ${platform.os} (ENOPROTOOPT)`,
      { option, errno: "ENOPROTOOPT" },
    );
  }
  return spec;
}

/** Validates one public value and converts it to kernel units. */
function toKernel(option: OptionName, value: unknown, platform: Platform): number {
  const spec = socketOption(option, platform);
  if (units[option] === "boolean") {
    if (typeof value !== "boolean") {
      throw invalid(option, value, "true or false");
    }
    return value ? 1 : 0;
  }
  const [low, high] = publicRange(option, spec);
  if (typeof value !== "number" || !Number.isInteger(value) || value < low || value > high) {
    throw invalid(option, value, describeRange(option, spec, platform));
  }
  return units[option] === "seconds" ? Math.ceil(value / MS_PER_S) : value;
}

function invalid(option: string, value: unknown, expected: string): KahookError {
  return new KahookError(
    "KAHOOK_ERR_INVALID_OPTION",
    `invalid ${option}: ${show(value)}; expected ${expected}`,
    { option },
  );
}

/** Converts a kernel value back to the public unit. */
export function fromKernel(option: OptionName, value: number): number | boolean {
  switch (units[option]) {
    case "boolean":
      return value !== 0;
    case "seconds":
      return value * MS_PER_S;
    default:
      return value;
  }
}

/**
 * Validates options once and returns the setsockopt calls they stand for, in a fixed order.
 * Throws KAHOOK_ERR_INVALID_OPTION naming the field, the value and the accepted range.
 */
export function compileOptions(options: KeepAliveOptions, platform: Platform = currentPlatform()): Setting[] {
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new KahookError("KAHOOK_ERR_INVALID_OPTION", `options must be an object; got ${show(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!(OPTION_NAMES as readonly string[]).includes(key)) {
      throw new KahookError(
        "KAHOOK_ERR_INVALID_OPTION",
        `unknown option ${JSON.stringify(key)}; known options: ${OPTION_NAMES.join(", ")}`,
        { option: key },
      );
    }
  }
  const settings: Setting[] = [];
  for (const option of OPTION_NAMES) {
    const value = options[option];
    if (value === undefined) continue;
    settings.push({ option, socketOption: socketOption(option, platform), value: toKernel(option, value, platform) });
  }
  return settings;
}

/**
 * libkeepalive's rule for TCP_USER_TIMEOUT: idle + interval × count, in ms, from the values
 * that will really be in force. Where the options leave idle, interval or count to the system,
 * the system default is read (Linux: /proc/sys/net/ipv4/tcp_keepalive_*), not taken as 0.
 * The result is capped at the largest timeout the kernel accepts.
 */
export function deriveUserTimeout(options: KeepAliveOptions, platform: Platform = currentPlatform()): number {
  const inForce = (option: "idle" | "interval" | "count"): number =>
    options[option] === undefined ? systemDefault(platform, option) : toKernel(option, options[option], platform);
  const seconds = inForce("idle") + inForce("interval") * inForce("count");
  return Math.min(seconds * MS_PER_S, socketOption("userTimeout", platform).max);
}
