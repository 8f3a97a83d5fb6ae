import net from "node:net";
import process from "node:process";
import { getKeepAlive, setKeepAlive } from "../api/keepalive.ts";
import { type Config, configFromEnv } from "../config/env.ts";
import type { KeepAliveState } from "../config/options.ts";
import { runtime } from "../runtimes/index.ts";
import { OPTION_NAMES } from "../sys/platform.ts";
import { configurationLines, detectionLines, format, ruleLines } from "./config.ts";

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
    return [
      header,
      ...OPTION_NAMES.filter((option) => config.options[option] !== undefined).map((option) =>
        `  ${option.padEnd(12)} ${format(option, system[option]).padEnd(10)} ${
          format(option, config.options[option]).padEnd(10)
        } ${format(option, after[option])}`
      ),
    ];
  } finally {
    socket.destroy();
    client.destroy();
    fresh.close();
  }
}

export const CHECK_HELP = `Usage: kahook check

Shows the configuration that libkeepalive's variables give (unset ones take kahook's
defaults), the worst-case time it takes to detect a vanished peer, the KAHOOK_RULES, and the
options set on a loopback listener as read back from the connection it accepted.
`;

/** `kahook check`: what `kahook config` shows but the load balancers, and a live readback. */
export async function check(env: Record<string, string | undefined> = process.env): Promise<string> {
  const config = configFromEnv(env);
  const version = runtime === "node" ? `node ${process.version}` : runtime;
  return [
    `kahook on ${version}, ${process.platform} ${process.arch}`,
    "",
    "Configuration (libkeepalive's variables; unset ones take kahook's defaults):",
    ...configurationLines(config, env),
    "",
    ...detectionLines(config),
    "",
    ...ruleLines(config),
    "",
    "Set on a loopback listener; read back with getsockopt on the connection it accepted:",
    ...(await readback(config)),
    "",
  ].join("\n");
}
