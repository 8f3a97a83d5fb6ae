import { applySettings } from "../apply.ts";
import type { Mode } from "../env.ts";
import { handleFd, leaseFd, type Target } from "../fd/index.ts";
import { type Addresses, findFd } from "../fd/match.ts";
import { KahookError } from "../errors.ts";
import { loadLibc, type Libc } from "../ffi/index.ts";
import { observeSocket } from "../observe.ts";
import { compileOptions, type KeepAliveOptions, type Setting } from "../options.ts";
import { compileDestination, compileRules, type Destination, type Rule, type RuleMatcher } from "../rules.ts";
import { host } from "../runtime.ts";
import { currentPlatform, errnoName } from "../sys/index.ts";
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
}

/** What a client socket gets, chosen by its destination. */
export interface ClientSettings {
  /** "client", or "client, rule 2": in debug lines and kahook:socket events. */
  label: string;
  /** Set before connect(2), or right after it where the runtime allows no earlier. */
  all: readonly Setting[];
  /** Set again after a setKeepAlive call (the configured options win). */
  keepAlive: readonly Setting[];
}

/**
 * The part of a libuv-style TCP handle (Node's tcp_wrap, or a TLS handle that forwards to one;
 * Deno's node:net handle has the same methods) that kahook calls. Its fd is reached through the
 * runtime's handleFd: Node's `fd`, -1 until connect, bind or open gives it a socket; Deno's fdForIpc().
 */
export interface TcpHandle {
  /** uv_tcp_open: the handle takes over fd. 0, or a negative libuv error. */
  open(fd: number): number;
}

/** One runtime's hooks: install.ts picks them by runtime. */
export interface RuntimeHooks {
  /** Hooks every socket the program opens from now on; false, doing nothing, if already installed. */
  install(plan: SocketPlan): boolean;
  /** Restores the runtime's own methods; false if none were installed. */
  uninstall(): boolean;
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
 * Options validated once and turned into setsockopt calls per direction, with the
 * per-socket operations the hooks perform. Nothing here throws per socket: a failure is
 * reported under debug and the socket is left as the runtime made it.
 */
export class SocketPlan {
  /** What a client socket gets when no rule matches; nothing when the mode leaves clients alone. */
  readonly client: ClientSettings;
  /** Set on a listening socket before listen(2); accepted sockets inherit them. */
  readonly server?: readonly Setting[];
  /** Set again on a listening or accepted socket after a setKeepAlive call (the configured options win). */
  readonly serverKeepAlive?: readonly Setting[];
  /** Which sockets get options: connect, listen or socket. */
  readonly mode: Mode;
  readonly debug: boolean;
  /** Each rule's destination and settings, in order: the first that matches a client wins. */
  readonly rules: readonly { destination: Destination; settings: ClientSettings }[];
  /** libc, once loaded; null when it cannot load (said once, and sockets are left alone). */
  private loaded?: Libc | null;
  private readonly platform: Platform;
  private readonly report?: (line: string) => void;
  private readonly matchRule: RuleMatcher;
  private readonly ruleSettings: readonly ClientSettings[];

  constructor({ options, mode = "socket", debug = false, rules = [] }: HookConfig) {
    this.platform = currentPlatform();
    const settings = compileOptions(options, this.platform);
    const forClients = (label: string, of: readonly Setting[]): ClientSettings => {
      const all = mode === "listen" ? [] : of.filter(({ option }) => !SERVER_ONLY.includes(option));
      return { label, all, keepAlive: keepAlive(all) };
    };
    this.client = forClients("client", settings);
    this.matchRule = compileRules(rules);
    this.ruleSettings = rules.map((rule, index) => forClients(`client, rule ${index + 1}`, compileRuleOptions(rule, index, this.platform)));
    // compileRules has checked every destination, so compileDestination cannot throw here.
    this.rules = rules.map((rule, index) => ({ destination: compileDestination(rule), settings: this.ruleSettings[index] }));
    this.mode = mode;
    this.debug = debug;
    if (mode !== "connect") {
      this.server = settings;
      this.serverKeepAlive = keepAlive(settings);
    }
    if (debug) this.report = reportLine;
  }

  /** The settings for a client connecting to address:port: the first matching rule's, or the default. */
  clientFor(address: string | undefined, port: number | undefined): ClientSettings {
    if (this.ruleSettings.length === 0) return this.client;
    const index = this.matchRule(address, port);
    return index < 0 ? this.client : this.ruleSettings[index];
  }

  /**
   * As clientFor, for a connected socket whose peer costs system calls to learn (remoteAddress
   * is a getpeername(2) in Node and Bun): the peer is asked for only when there are rules.
   */
  clientForPeer(peer: () => { address?: string; port?: number }): ClientSettings {
    if (this.ruleSettings.length === 0) return this.client;
    const { address, port } = peer();
    return this.clientFor(address, port);
  }

  /**
   * The FFI, loaded on the first socket rather than at start-up: koffi costs Node 8–15 ms to
   * load, which every process started under the preload would pay, sockets or not. If it
   * cannot load, one line says so, whatever KAHOOK_DEBUG, and the program runs on unconfigured.
   */
  private get libc(): Libc | null {
    if (this.loaded === undefined) {
      try {
        this.loaded = loadLibc();
      } catch (error) {
        this.loaded = null;
        reportLine(`not active: ${(error as Error).message}; sockets keep the runtime's settings`);
      }
    }
    return this.loaded;
  }

  /** Sets the settings on fd; a failure is reported and stops that socket's remaining settings. */
  configure(fd: number, label: string, settings: readonly Setting[]): void {
    const libc = this.libc;
    if (!libc) return;
    try {
      applySettings(libc, fd, settings);
      observeSocket(fd, label, settings);
      this.report?.(`fd ${fd} ${label}: ${describe(settings)}`);
    } catch (error) {
      observeSocket(fd, label, settings, error as KahookError);
      this.report?.(`fd ${fd} ${label}: ${(error as Error).message}`);
    }
  }

  /** Configures the socket behind a node:net handle, if it has one yet. */
  configureHandle(handle: object, label: string, settings: readonly Setting[]): void {
    const libc = this.libc;
    const lease = libc && handleFd(handle, libc);
    if (!lease) return;
    try {
      this.configure(lease.fd, label, settings);
    } finally {
      lease.release();
    }
  }

  /** Configures a connected socket or a listening server, however the runtime exposes its fd. */
  configureTarget(target: Target, label: string, settings: readonly Setting[]): void {
    const libc = this.libc;
    if (!libc) return;
    try {
      const lease = leaseFd(target, libc);
      try {
        this.configure(lease.fd, label, settings);
      } finally {
        lease.release();
      }
    } catch (error) {
      this.report?.(`${label}: ${(error as Error).message}`);
    }
  }

  /** Configures a socket the runtime gives no fd for, found by its addresses (see findFd). */
  configureByAddress(addresses: Addresses, label: string, settings: readonly Setting[]): void {
    const libc = this.libc;
    if (!libc) return;
    const fd = findFd(libc, this.platform, addresses);
    if (fd === undefined) return this.report?.(`${label}: no socket has the addresses ${JSON.stringify(addresses)}`);
    this.configure(fd, label, settings);
  }

  /**
   * Configures a client handle just before its connect(2). libuv creates the socket inside
   * connect, too late for TCP_MAXSEG, TCP_WINDOW_CLAMP and TCP_SYNCNT to shape the SYN, so
   * when the handle has no socket yet kahook creates one and hands it over with open().
   * The options are set after open(): if the program called setKeepAlive before connect,
   * open() sets libuv's keepalive values (idle 60 s) and kahook's must come after them.
   * If socket() or open() fails, the handle is left alone and libuv creates its socket as usual.
   */
  prepareClient(handle: TcpHandle, ipVersion: 4 | 6, { label, all: settings }: ClientSettings): void {
    const libc = this.libc;
    if (settings.length === 0 || !libc) return;
    const existing = handleFd(handle, libc);
    if (existing) {
      // Bound already (localAddress): the socket exists, and connect(2) is still to come.
      try {
        return this.configure(existing.fd, label, settings);
      } finally {
        existing.release();
      }
    }
    const { family, type } = this.platform.tcpSocket;
    const fd = libc.socket(family[ipVersion], type, 0);
    if (fd < 0) return this.report?.(`${label}: socket() failed: ${errnoName(this.platform, -fd)}`);
    const uvError = handle.open(fd);
    if (uvError !== 0) {
      libc.close(fd);
      return this.report?.(`fd ${fd} ${label}: the handle refused it (libuv error ${uvError})`);
    }
    this.configure(fd, label, settings);
  }
}

/** "SO_KEEPALIVE=1 TCP_KEEPIDLE=15 ...": the constants and kernel-unit values, as set. */
function describe(settings: readonly Setting[]): string {
  return settings.map(({ socketOption, value }) => `${socketOption.constant}=${value}`).join(" ");
}

/** Written synchronously to fd 2, so lines are whole and ordered even if the program exits next. */
export function reportLine(line: string): void {
  try {
    host.writeStderr(`kahook: ${line}\n`);
  } catch {
    // stderr closed: debugging output is lost, the program goes on.
  }
}
