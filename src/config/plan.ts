import type { Mode } from "./env.ts";
import { KahookError } from "../host/errors.ts";
import { compileOptions, type KeepAliveOptions, type Setting } from "./options.ts";
import { compileDestination, compileRules, type Destination, type Rule, type RuleMatcher } from "./rules.ts";
import { currentPlatform } from "../sys/index.ts";
import type { OptionName, Platform } from "../sys/platform.ts";

/** What the hooks configure: the options, which sockets get them, and whether to report. */
export interface HookConfig {
  /** The options every configured socket gets, in setKeepAlive's units (ms). */
  options: KeepAliveOptions;
  /** connect: client sockets; listen: listening sockets (accepted ones inherit); socket: both. Default socket. */
  mode?: Mode;
  /** One stderr line per configured socket and per failure. Default off. */
  debug?: boolean;
  /** Options for client connections to some destinations; the first rule that matches wins, `options` where none does. */
  rules?: readonly Rule[];
  /** false: configure through the JavaScript hooks only, not the native interposer. Default true. */
  interposer?: boolean;
  /** true: the interposer counts connections that ended timed out, one getsockopt at each close. Default false. */
  metrics?: boolean;
}

/** What a client socket gets, chosen by its destination. */
export interface ClientSettings {
  /** "client", or "client, rule 2": in debug lines and kahook:socket events. */
  label: string;
  /** Set before connect(2), or right after it where the runtime allows no earlier. */
  beforeConnect: readonly Setting[];
  /** Set again after a setKeepAlive call, which resets them (the configured options win). */
  afterSetKeepAlive: readonly Setting[];
}

// Only a listening socket can defer accept; on a client the option means something else.
const SERVER_ONLY: readonly OptionName[] = ["deferAccept"];
// What libuv's uv_tcp_keepalive, behind every setKeepAlive call, rewrites.
const KEEPALIVE: readonly OptionName[] = ["enable", "idle", "interval", "count"];
const keepAlive = (settings: readonly Setting[]) => settings.filter(({ option }) => KEEPALIVE.includes(option));

/** A rule's options, validated; errors name the rule by position (from 1). */
function compileRuleOptions(rule: Rule, index: number, platform: Platform): Setting[] {
  try {
    return compileOptions(rule.options, platform);
  } catch (error) {
    throw new KahookError("KAHOOK_ERR_INVALID_OPTION", `rule ${index + 1}: ${(error as Error).message}`, {
      option: (error as KahookError).option,
      cause: error,
    });
  }
}

/**
 * The configuration, compiled once: the setsockopt calls per direction, and the rules that pick
 * a client's. Pure data: fallback/configure.ts makes the system calls, and nothing here throws once
 * the plan is built.
 */
export class SocketPlan {
  /** What a client socket gets when no rule matches; nothing when the mode leaves clients alone. */
  readonly client: ClientSettings;
  /** Set on a listening socket before listen(2); accepted sockets inherit them. */
  readonly server?: readonly Setting[];
  /** Set again on a listening or accepted socket after a setKeepAlive call (the configured options win). */
  readonly serverAfterSetKeepAlive?: readonly Setting[];
  /** Which sockets get options: connect, listen or socket. */
  readonly mode: Mode;
  readonly debug: boolean;
  readonly metrics: boolean;
  /** Each rule's destination and settings, in order: the first that matches a client wins. */
  readonly rules: readonly { destination: Destination; settings: ClientSettings }[];
  private readonly matchRule: RuleMatcher;

  constructor({ options, mode = "socket", debug = false, rules = [], metrics = false }: HookConfig) {
    const platform = currentPlatform();
    const settings = compileOptions(options, platform);
    const forClients = (label: string, of: readonly Setting[]): ClientSettings => {
      const beforeConnect = mode === "listen" ? [] : of.filter(({ option }) => !SERVER_ONLY.includes(option));
      return { label, beforeConnect, afterSetKeepAlive: keepAlive(beforeConnect) };
    };
    this.client = forClients("client", settings);
    this.matchRule = compileRules(rules);
    // compileRules has checked every destination, so compileDestination cannot throw here.
    this.rules = rules.map((rule, index) => ({
      destination: compileDestination(rule),
      settings: forClients(`client, rule ${index + 1}`, compileRuleOptions(rule, index, platform)),
    }));
    this.mode = mode;
    this.debug = debug;
    this.metrics = metrics;
    if (mode !== "connect") {
      this.server = settings;
      this.serverAfterSetKeepAlive = keepAlive(settings);
    }
  }

  /**
   * Every set of settings, as the interposer numbers them: [0] listeners', [1] the clients'
   * default, [2 + i] rule i's. Its debug lines and events name a socket's set by that number.
   */
  get sets(): readonly { label: string; settings: readonly Setting[] }[] {
    const clients = [this.client, ...this.rules.map(({ settings }) => settings)];
    return [
      { label: "server", settings: this.server ?? [] },
      ...clients.map(({ label, beforeConnect }) => ({ label, settings: beforeConnect })),
    ];
  }

  /** The settings for a client connecting to address:port: the first matching rule's, or the default. */
  clientFor(address: string | undefined, port: number | undefined): ClientSettings {
    if (this.rules.length === 0) return this.client;
    const index = this.matchRule(address, port);
    return index < 0 ? this.client : this.rules[index].settings;
  }

  /**
   * As clientFor, for a connected socket whose peer costs system calls to learn (remoteAddress
   * is a getpeername(2) in Node and Bun): the peer is asked for only when there are rules.
   */
  clientForPeer(peer: () => { address?: string; port?: number }): ClientSettings {
    if (this.rules.length === 0) return this.client;
    const { address, port } = peer();
    return this.clientFor(address, port);
  }
}
