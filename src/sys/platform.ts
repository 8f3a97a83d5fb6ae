/** The options kahook knows, in the order it sets them. */
export const OPTION_NAMES = [
  "enable",
  "idle",
  "interval",
  "count",
  "userTimeout",
  "synCount",
  "deferAccept",
  "maxSegment",
  "windowClamp",
] as const;

export type OptionName = (typeof OPTION_NAMES)[number];

/** One socket option as the kernel sees it: an int at (level, name), accepted in [min, max] kernel units. */
export interface SocketOption {
  /** The C constant, for messages and the header check: "TCP_KEEPIDLE". */
  constant: string;
  level: number;
  name: number;
  min: number;
  max: number;
}

/** Everything that differs between operating systems, as data. */
export interface Platform {
  os: string;
  /** Linux is tested in CI; other tables are transcribed from headers and untested. */
  tested: boolean;
  /** An option the platform lacks is absent: using it is an ENOPROTOOPT error. */
  options: Partial<Record<OptionName, SocketOption>>;
  /** Where the system-wide keepalive defaults live (seconds, or probes for count). */
  systemDefaults: Partial<Record<"idle" | "interval" | "count", string>>;
  /** errno number → name, for the errors kahook can meet. */
  errno: Record<number, string>;
  /** libc paths to try in order, absolute first so that Deno's --allow-ffi=<path> can name one. */
  libc(arch: string): string[];
}
