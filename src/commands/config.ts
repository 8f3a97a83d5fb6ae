/**
 * `kahook config`: the configuration in force from the environment, the system defaults, the
 * worst-case time to detect a dead peer with each, and warnings for load balancers and NAT
 * gateways that would drop an idle connection before its first keepalive probe.
 * @module
 */
import process from "node:process";
import { type Config, configFromEnv, type Env, VARIABLES } from "../config/env.ts";
import { busyDetection, idleDetection, type InForce, probesSent, systemRetransmission } from "../deadpeer/detect.ts";
import { PROFILES, withProfile } from "../config/profiles.ts";
import { currentPlatform, facility, sysctlName, systemDefault } from "../sys/index.ts";
import type { OptionName } from "../sys/platform.ts";

const DURATIONS: ReadonlySet<OptionName> = new Set(["idle", "interval", "userTimeout", "deferAccept"]);

/** An option's value as shown: durations in s (or ms when not whole), booleans as on/off. */
export function format(option: OptionName, value: number | boolean | undefined): string {
  if (value === undefined) return "-";
  if (typeof value === "boolean") return value ? "on" : "off";
  if (!DURATIONS.has(option)) return String(value);
  return value % 1000 === 0 ? `${value / 1000} s` : `${value} ms`;
}

/** "924.6 s (15 min 25 s)": seconds, and in larger units when over a minute. */
function seconds(value: number): string {
  const rounded = Math.round(value * 10) / 10;
  if (value < 60) return `${rounded} s`;
  const [h, m, s] = [Math.floor(value / 3600), Math.floor((value % 3600) / 60), Math.round(value % 60)];
  const parts = [h && `${h} h`, m && `${m} min`, s && `${s} s`].filter(Boolean).join(" ");
  return `${rounded} s (${parts})`;
}

/** Each variable, its value in force and where the value comes from. */
export function configurationLines(config: Config, env: Env): string[] {
  const profiled = withProfile(env);
  return VARIABLES.map(({ name, option }) => {
    const source = env[name] !== undefined
      ? `${name}=${env[name]}`
      : profiled[name] !== undefined
      ? `KAHOOK_PROFILE=${env.KAHOOK_PROFILE}`
      : "default";
    return `  ${name.padEnd(17)} ${format(option, config.options[option]).padEnd(10)} ${source}`;
  });
}

/** The keepalive values in force where nothing sets them: the system's (net.ipv4.tcp_keepalive_*), and no user timeout. */
function systemInForce(): InForce {
  const platform = currentPlatform();
  return {
    idle: systemDefault(platform, "idle"),
    interval: systemDefault(platform, "interval"),
    count: systemDefault(platform, "count"),
    userTimeout: 0,
  };
}

/** The keepalive options whose system defaults the report shows, by sysctl name. */
const KEEPALIVE_DEFAULTS = ["idle", "interval", "count"] as const;

/** The system defaults, and the idle and busy detection times with the configuration and without it. */
export function detectionLines(config: Config): string[] {
  const platform = currentPlatform();
  const system = systemInForce();
  const retransmission = systemRetransmission();
  const inForce = configured(config, system);
  const row = (label: string, mine: string, theirs: string) => `  ${label.padEnd(16)} ${mine.padEnd(36)} ${theirs}`;
  const idleWhy = (values: InForce) =>
    `(${values.idle} + ${values.interval} × ${probesSent(values)}${
      values.userTimeout > 0 ? ", by TCP_USER_TIMEOUT" : ""
    })`;
  return [
    "System defaults (in force wherever the configuration leaves an option to the system):",
    ...KEEPALIVE_DEFAULTS.map((option) =>
      `  ${sysctlName(platform.systemDefaults[option]!).padEnd(30)} ${system[option]}${option === "count" ? "" : " s"}`
    ),
    `  ${
      sysctlName(facility("retransmission", platform).retries).padEnd(30)
    } ${retransmission.retries} (gives up after ${seconds(retransmission.seconds)} of retransmissions)`,
    "",
    "Worst-case time to detect a dead peer:",
    row("", "with this configuration", "with the system defaults alone"),
    row("idle connection", seconds(idleDetection(inForce)), seconds(idleDetection(system))),
    row("", idleWhy(inForce), idleWhy(system)),
    row("busy connection", seconds(busyDetection(inForce, retransmission)), seconds(retransmission.seconds)),
    row(
      "",
      inForce.userTimeout > 0 ? "(TCP_USER_TIMEOUT)" : `(tcp_retries2 = ${retransmission.retries})`,
      `(tcp_retries2 = ${retransmission.retries})`,
    ),
  ];
}

/** The keepalive values the configuration puts in force, in kernel units, the system's where it sets none. */
function configured(config: Config, system: InForce): InForce {
  const { idle, interval, count, userTimeout, enable } = config.options;
  if (!enable) return { ...system, idle: Infinity };
  return {
    idle: idle === undefined ? system.idle : idle / 1000,
    interval: interval === undefined ? system.interval : interval / 1000,
    count: count ?? system.count,
    userTimeout: userTimeout ?? 0,
  };
}

/** KAHOOK_RULES: per rule, its destinations, the options its connections get and their worst-case detection times. */
export function ruleLines(config: Config): string[] {
  if (config.rules.length === 0) {
    return ["Rules (KAHOOK_RULES): none; every client connection gets the configuration above"];
  }
  const system = systemInForce();
  const retransmission = systemRetransmission();
  const scope = config.mode === "listen"
    ? "none apply: KAHOOK_MODE=listen leaves client connections alone"
    : "the first that matches a client connection wins";
  return [
    `Rules (KAHOOK_RULES; ${scope}):`,
    ...config.rules.flatMap(({ address, port, options }, index) => {
      const destination = [address !== undefined && `addr=${address}`, port !== undefined && `port=${port}`].filter(
        Boolean,
      ).join(",");
      const values = VARIABLES.filter(({ option }) => options[option] !== undefined).map(({ name, option }) =>
        `${name} ${format(option, options[option])}`
      );
      const inForce = configured({ ...config, options }, system);
      return [
        `  ${`${index + 1}`.padEnd(3)}${destination}`,
        `     ${values.join(", ")}`,
        `     dead peer detected within ${seconds(idleDetection(inForce))} idle, ${
          seconds(busyDetection(inForce, retransmission))
        } busy`,
      ];
    }),
  ];
}

/** One line per known middlebox: whether the idle time in force keeps a flow through it alive. */
function middleboxLines(config: Config): string[] {
  const idle =
    configured(config, { idle: systemDefault(currentPlatform(), "idle"), interval: 0, count: 0, userTimeout: 0 }).idle;
  const width = Math.max(...PROFILES.map(({ middlebox }) => middlebox.length));
  return [
    "Load balancers and NAT gateways that drop idle flows (KAHOOK_PROFILE=NAME sets values for each):",
    ...PROFILES.map(({ name, middlebox, idleTimeout }) => {
      const verdict = idle < idleTimeout
        ? "ok"
        : `WARNING: idle ${idle} s ≥ ${idleTimeout} s: dropped before the first probe`;
      return `  ${name.padEnd(10)} ${`${idleTimeout} s`.padEnd(6)} ${middlebox.padEnd(width)}  ${verdict}`;
    }),
  ];
}

export const CONFIG_HELP = `Usage: kahook config

Shows the configuration in force from the environment (libkeepalive's variables, then
KAHOOK_PROFILE's values, then kahook's defaults), the system defaults, the worst-case time each
takes to detect a dead peer, the KAHOOK_RULES, and the load balancers and NAT gateways that
would drop an idle connection before its first keepalive probe.
`;

/** `kahook config`. */
export function config(env: Env = process.env): string {
  const inForce = configFromEnv(env);
  return [
    "Configuration in force (libkeepalive's variables; unset ones take KAHOOK_PROFILE's values, then kahook's defaults):",
    ...configurationLines(inForce, env),
    `  ${"KAHOOK_MODE".padEnd(17)} ${inForce.mode}`,
    "",
    ...detectionLines(inForce),
    "",
    ...ruleLines(inForce),
    "",
    ...middleboxLines(inForce),
    "",
  ].join("\n");
}
