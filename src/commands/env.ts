/**
 * `kahook env [options]`: prints the variables that preload the interposer into any dynamically
 * linked program, for places where `kahook run` cannot wrap the command: a Dockerfile, a systemd
 * unit, an init script.
 * @module
 */
import process from "node:process";
import { configFromEnv } from "../config/env.ts";
import { type Parsed, usage } from "./args.ts";
import { preloadEnv } from "./preload.ts";
import { flagsEnv, RUN_OPTIONS } from "./run.ts";

export const ENV_HELP = `Usage: kahook env [options] [--format shell|env]

Prints LD_PRELOAD (any LD_PRELOAD already set, then kahook's libkahook.so) and
KAHOOK_NATIVE_CONFIG (the configuration, checked and compiled), configured as \`kahook run\`
with the same options and variables would configure a program that is not node, bun or deno.
A program started with them has every TCP socket configured; so have the processes it starts
(KAHOOK_NATIVE_INHERIT=0, from --no-children, keeps them out). Print them again after a
change of kahook's version or of the configuration: the library reads only numbers.

  --format shell   export lines, for eval "$(kahook env)" (the default)
  --format env     NAME=VALUE lines, for docker run --env-file, systemd's EnvironmentFile=,
                   or a Dockerfile's ENV

Examples: eval "$(kahook env --idle 30)"; exec nginx -g 'daemon off;'
          kahook env --idle 30 --format env > /etc/kahook.env   (EnvironmentFile=/etc/kahook.env)
`;

export const ENV_OPTIONS = {
  values: { ...RUN_OPTIONS.values, "--format": "FORMAT" },
  switches: RUN_OPTIONS.switches,
} as const;

/** A single-quoted shell word. */
const quoted = (value: string) => `'${value.replaceAll("'", `'\\''`)}'`;

export function env(args: Parsed, inherited: NodeJS.ProcessEnv = process.env): string {
  const format = args.values["--format"] ?? "shell";
  if (format !== "shell" && format !== "env") throw usage(`--format takes shell or env, not ${JSON.stringify(format)}`);
  const config = configFromEnv({ ...inherited, ...flagsEnv(args) });
  const variables = preloadEnv(config, !args.switches.has("--no-children"), inherited.LD_PRELOAD);
  return Object.entries(variables)
    .map(([name, value]) => (format === "shell" ? `export ${name}=${quoted(value)}` : `${name}=${value}`))
    .join("\n") + "\n";
}
