import { KahookError, show } from "../host/errors.ts";
import { deriveUserTimeout, fromKernel, type KeepAliveOptions } from "./options.ts";
import { withProfile } from "./profiles.ts";
import { checkPort, compileMatcher, DIGITS, type Rule } from "./rules.ts";
import { host } from "../host/host.ts";
import { currentPlatform } from "../sys/index.ts";
import type { OptionName, Platform } from "../sys/platform.ts";

/** Which sockets the preload configures, like libkeepalive's three libraries. */
export type Mode = "connect" | "listen" | "socket";
const MODES: readonly Mode[] = ["connect", "listen", "socket"];

/** The configuration the environment gives: what configFromEnv returns and install() takes. */
export interface Config {
  /** From libkeepalive's variables (TCP_KEEPIDLE, ...) and KAHOOK_PROFILE, in setKeepAlive's units (ms). */
  options: KeepAliveOptions;
  /** KAHOOK_MODE: which sockets get the options. */
  mode: Mode;
  /** KAHOOK_DEBUG: one stderr line per configured socket and per failure. */
  debug: boolean;
  /** KAHOOK_RULES: options for client connections to some destinations; the first rule that matches wins. */
  rules: Rule[];
  /** KAHOOK_INTERPOSER=0: configure through the JavaScript hooks only, not the native interposer. */
  interposer: boolean;
  /**
   * KAHOOK_METRICS=1: the interposer also counts the connections that ended timed out (dead
   * peers), at the cost of one getsockopt per configured connection, when the program closes it.
   */
  metrics: boolean;
}

/** Environment variables by name, as process.env holds them. */
export type Env = Record<string, string | undefined>;

/** One libkeepalive variable: its value is in the kernel's unit (s, ms, probes or bytes). */
interface Variable {
  name: string;
  option: OptionName;
  /** In force when the variable is unset. 0 leaves the option to the system. */
  fallback: number;
}

/** TCP_USER_TIMEOUT=-1: derive idle + interval × count from the values in force. */
const DERIVE = -1;

// libkeepalive's variables and meanings; kahook's defaults give a 2.5 min bound instead of ~2 h 11 min.
export const VARIABLES: readonly Variable[] = [
  { name: "TCP_KEEPIDLE", option: "idle", fallback: 15 },
  { name: "TCP_KEEPINTVL", option: "interval", fallback: 15 },
  { name: "TCP_KEEPCNT", option: "count", fallback: 9 },
  { name: "TCP_USER_TIMEOUT", option: "userTimeout", fallback: DERIVE },
  { name: "TCP_SYNCNT", option: "synCount", fallback: 0 },
  { name: "TCP_DEFER_ACCEPT", option: "deferAccept", fallback: 0 },
  { name: "TCP_MAXSEG", option: "maxSegment", fallback: 0 },
  { name: "TCP_WINDOW_CLAMP", option: "windowClamp", fallback: 0 },
];

/**
 * Every variable configFromEnv reads: libkeepalive's, then kahook's own. Deno's --allow-env check
 * (permissions.ts) asks for exactly these, and docs/configuration.md's table names them all.
 */
export const ENV_NAMES: readonly string[] = [
  ...VARIABLES.map(({ name }) => name),
  "KAHOOK_MODE",
  "KAHOOK_DEBUG",
  "KAHOOK_PROFILE",
  "KAHOOK_RULES",
  "KAHOOK_INTERPOSER",
  "KAHOOK_METRICS",
];

/** The process's values of ENV_NAMES: all configFromEnv reads, so Deno's --allow-env may name just these. */
export function processEnv(): Env {
  return Object.fromEntries(ENV_NAMES.map((name) => [name, host.env(name)]));
}

function parseVariable(variable: Variable, raw: string, platform: Platform): number {
  const spec = platform.options[variable.option];
  const unit = spec && variable.option === "userTimeout" ? "ms" : "";
  const derive = variable.option === "userTimeout" ? ", -1 to derive it from the keepalive values" : "";
  const accepted = spec
    ? `a whole number ${Math.max(spec.min, 1)}..${spec.max}${
      unit && " " + unit
    } written in digits, 0 for the system default${derive}`
    : "";
  const reject = (why: string) =>
    new KahookError("KAHOOK_ERR_INVALID_ENV", `${variable.name}=${show(raw)} is not valid: ${why}`, {
      variable: variable.name,
      option: variable.option,
    });
  if (raw === "-1" && variable.option === "userTimeout") return DERIVE;
  if (!DIGITS.test(raw)) throw reject(`expected ${accepted || "digits"}`);
  const value = Number(raw);
  if (value === 0) return 0;
  if (!spec) throw reject(`${variable.option} is not available on ${platform.os} (ENOPROTOOPT); unset it or set 0`);
  if (value < spec.min || value > spec.max) throw reject(`out of range; expected ${accepted}`);
  return value;
}

/**
 * Reads libkeepalive's variables plus KAHOOK_PROFILE (a preset for them), KAHOOK_MODE,
 * KAHOOK_DEBUG and KAHOOK_RULES. Unset variables take kahook's defaults; a set variable is either
 * used as written or rejected with KAHOOK_ERR_INVALID_ENV naming it; it is never replaced by a default.
 */
export function configFromEnv(given: Env = processEnv(), platform: Platform = currentPlatform()): Config {
  const env = withProfile(given);
  return {
    options: optionsFromEnv(env, platform),
    mode: parseMode(env.KAHOOK_MODE),
    debug: parseDebug(env.KAHOOK_DEBUG),
    rules: parseRules(env, platform),
    interposer: parseSwitch("KAHOOK_INTERPOSER", env.KAHOOK_INTERPOSER, true),
    metrics: parseSwitch("KAHOOK_METRICS", env.KAHOOK_METRICS, false),
  };
}

/** libkeepalive's variables, profile applied, as options. */
function optionsFromEnv(env: Env, platform: Platform): KeepAliveOptions {
  const options: KeepAliveOptions = { enable: true };
  let derive = false;
  for (const variable of VARIABLES) {
    const raw = env[variable.name];
    const value = raw === undefined ? fallback(variable, platform) : parseVariable(variable, raw, platform);
    if (value === DERIVE) derive = true;
    else if (value !== 0) (options as Record<string, unknown>)[variable.option] = fromKernel(variable.option, value);
  }
  if (derive) options.userTimeout = deriveUserTimeout(options, platform);
  return options;
}

/** A default applies only where the platform has the option (macOS has no TCP_USER_TIMEOUT). */
function fallback(variable: Variable, platform: Platform): number {
  return platform.options[variable.option] ? variable.fallback : 0;
}

function parseMode(raw: string | undefined): Mode {
  if (raw === undefined) return "socket";
  if ((MODES as readonly string[]).includes(raw)) return raw as Mode;
  throw new KahookError(
    "KAHOOK_ERR_INVALID_ENV",
    `KAHOOK_MODE=${show(raw)} is not valid: expected one of ${MODES.join(", ")}`,
    { variable: "KAHOOK_MODE" },
  );
}

/** A variable that is "1" or "0", and `fallback` when unset. */
function parseSwitch(variable: string, raw: string | undefined, fallback: boolean): boolean {
  if (raw === undefined) return fallback;
  if (raw === "1" || raw === "0") return raw === "1";
  const expected = fallback ? "1 (the default) or 0" : "1, or 0 (the default)";
  throw new KahookError("KAHOOK_ERR_INVALID_ENV", `${variable}=${show(raw)} is not valid: expected ${expected}`, {
    variable,
  });
}

/** Unset, "" and "0" mean off; anything else means on. */
function parseDebug(raw: string | undefined): boolean {
  return raw !== undefined && raw !== "" && raw !== "0";
}

/**
 * KAHOOK_RULES="MATCHERS:VARIABLES;...", such as "port=5432:TCP_KEEPIDLE=30,TCP_KEEPCNT=3;addr=10.0.0.0/8:TCP_USER_TIMEOUT=5000".
 * Each rule's variables are overlaid on the environment and parsed as the environment is, so a
 * rule states only what differs, and TCP_USER_TIMEOUT, unless set, is derived from the rule's
 * values. An error names the rule by position, its text and the part at fault.
 */
function parseRules(env: Env, platform: Platform): Rule[] {
  const raw = env.KAHOOK_RULES;
  if (raw === undefined || raw === "") return [];
  return raw.split(";").map((text, index) => {
    try {
      return parseRule(text, env, platform);
    } catch (error) {
      throw new KahookError(
        "KAHOOK_ERR_INVALID_ENV",
        `KAHOOK_RULES rule ${index + 1} (${show(text)}): ${(error as Error).message}`,
        {
          variable: "KAHOOK_RULES",
          cause: error,
        },
      );
    }
  });
}

const MATCHERS = "addr=ADDRESS[/PREFIX] or port=PORT";

function parseRule(text: string, env: Env, platform: Platform): Rule {
  // The last colon: an IPv6 address has colons, the variables have none.
  const colon = text.lastIndexOf(":");
  if (colon < 0) throw new Error(`expected MATCHERS:VARIABLES, such as port=5432:TCP_KEEPIDLE=30`);
  const rule: Rule = { options: {} };
  for (const [key, value] of assignments(text.slice(0, colon), "matcher")) {
    if (key === "port" && rule.port === undefined) rule.port = checkPort(DIGITS.test(value) ? Number(value) : value);
    else if (key === "addr" && rule.address === undefined) rule.address = value;
    else throw new Error(`${show(`${key}=${value}`)}: expected ${MATCHERS}, each at most once`);
  }
  compileMatcher(rule);
  const overlay: Env = {};
  for (const [name, value] of assignments(text.slice(colon + 1), "variable")) {
    const variable = VARIABLES.find((known) => known.name === name);
    if (!variable || name in overlay) {
      throw new Error(
        `${show(`${name}=${value}`)}: expected one of ${
          VARIABLES.map((known) => known.name).join(", ")
        }, each at most once`,
      );
    }
    if (variable.option === "deferAccept") {
      throw new Error(`${name} applies to listening sockets, and rules to client connections`);
    }
    overlay[name] = value;
  }
  rule.options = optionsFromEnv({ ...env, ...overlay }, platform);
  return rule;
}

/** "a=1,b=2" as [key, value] pairs; "" as none. */
function assignments(text: string, what: string): [string, string][] {
  if (text === "") return [];
  return text.split(",").map((part) => {
    const equals = part.indexOf("=");
    if (equals < 0) throw new Error(`${what} ${show(part)}: expected NAME=VALUE`);
    return [part.slice(0, equals), part.slice(equals + 1)];
  });
}
