import net from "node:net";
import process from "node:process";
import { getKeepAlive, setKeepAlive } from "../apply.ts";
import { type Config, configFromEnv, VARIABLES } from "../env.ts";
import type { KeepAliveState } from "../options.ts";
import { runtime } from "../runtime.ts";
import { currentPlatform, systemDefault } from "../sys/index.ts";
import { OPTION_NAMES, type OptionName } from "../sys/platform.ts";

const DURATIONS: ReadonlySet<OptionName> = new Set(["idle", "interval", "userTimeout", "deferAccept"]);

function format(option: OptionName, value: number | boolean | undefined): string {
  if (value === undefined) return "-";
  if (typeof value === "boolean") return value ? "on" : "off";
  if (!DURATIONS.has(option)) return String(value);
  return value % 1000 === 0 ? `${value / 1000} s` : `${value} ms`;
}

function configurationLines(config: Config, env: Record<string, string | undefined>): string[] {
  return VARIABLES.map(({ name, option }) => {
    const source = env[name] === undefined ? "default" : `${name}=${env[name]}`;
    return `  ${name.padEnd(17)} ${format(option, config.options[option]).padEnd(10)} ${source}`;
  });
}

function boundLines(config: Config): string[] {
  const platform = currentPlatform();
  const inForce = (option: "idle" | "interval" | "count") =>
    config.options[option] === undefined ? systemDefault(platform, option) : Number(config.options[option]) / (option === "count" ? 1 : 1000);
  const idleBound = inForce("idle") + inForce("interval") * inForce("count");
  const system = systemDefault(platform, "idle") + systemDefault(platform, "interval") * systemDefault(platform, "count");
  const busy = config.options.userTimeout ? `${config.options.userTimeout / 1000} s (TCP_USER_TIMEOUT)` : "the system's retransmission limit (about 15 min)";
  return [
    `A peer that vanishes is detected within ${idleBound} s on an idle connection (idle + interval × count),`,
    `and within ${busy} on a connection with unacknowledged data.`,
    `This system's defaults alone would take ${system} s (${(system / 3600).toFixed(1)} h) on an idle connection.`,
  ];
}

/**
 * Sets the options on a loopback listener and reads back the socket it accepts: accepted
 * sockets inherit a listener's options, SYN-time ones (TCP_MAXSEG) included.
 */
async function readback(config: Config): Promise<string[]> {
  const fresh = net.createServer();
  const accepted = new Promise<net.Socket>((resolve) => fresh.once("connection", resolve));
  await new Promise<void>((resolve) => fresh.listen(0, "127.0.0.1", resolve));
  const system: KeepAliveState = getKeepAlive(fresh);
  setKeepAlive(fresh, config.options);
  // One byte, so that a TCP_DEFER_ACCEPT listener hands the connection over at once.
  const client = net.connect((fresh.address() as net.AddressInfo).port, "127.0.0.1", () => client.write("."));
  const socket = await accepted;
  try {
    const after: KeepAliveState = getKeepAlive(socket);
    const header = `  ${"option".padEnd(12)} ${"system".padEnd(10)} ${"configured".padEnd(10)} read back`;
    return [header, ...OPTION_NAMES.filter((option) => config.options[option] !== undefined).map((option) =>
      `  ${option.padEnd(12)} ${format(option, system[option]).padEnd(10)} ${format(option, config.options[option]).padEnd(10)} ${format(option, after[option])}`
    )];
  } finally {
    socket.destroy();
    client.destroy();
    fresh.close();
  }
}

/** `kahook check`: the configuration in force, the detection bound it gives, and a live readback. */
export async function check(env: Record<string, string | undefined> = process.env): Promise<string> {
  const config = configFromEnv(env);
  const version = runtime === "node" ? `node ${process.version}` : runtime;
  return [
    `kahook on ${version}, ${process.platform} ${process.arch}`,
    "",
    "Configuration (libkeepalive's variables; unset ones take kahook's defaults):",
    ...configurationLines(config, env),
    "",
    ...boundLines(config),
    "",
    "Set on a loopback listener; read back with getsockopt on the connection it accepted:",
    ...(await readback(config)),
    "",
  ].join("\n");
}
