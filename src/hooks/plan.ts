import { writeSync } from "node:fs";
import { applySettings } from "../apply.ts";
import type { Mode } from "../env.ts";
import type { KahookError } from "../errors.ts";
import { loadLibc, type Libc } from "../ffi/index.ts";
import { observeSocket } from "../observe.ts";
import { compileOptions, type KeepAliveOptions, type Setting } from "../options.ts";
import { currentPlatform, errnoName } from "../sys/index.ts";
import type { OptionName, Platform } from "../sys/platform.ts";

/** What the hooks configure: the options, which sockets get them, and whether to report. */
export interface HookConfig {
  options: KeepAliveOptions;
  /** connect: client sockets; listen: listening sockets (accepted ones inherit); socket: both. Default socket. */
  mode?: Mode;
  /** One stderr line per configured socket and per failure. Default off. */
  debug?: boolean;
}

/** The end of a connection a socket is on. */
export type Direction = "client" | "server";

/** The part of a Node TCP handle (tcp_wrap, or a TLS handle that forwards to one) that kahook calls. */
export interface TcpHandle {
  /** The OS fd, -1 until connect, bind or open gives the handle a socket. */
  readonly fd: number;
  /** uv_tcp_open: the handle takes over fd. 0, or a negative libuv error. */
  open(fd: number): number;
}

// Only a listening socket can defer accept; on a client the option means something else.
const SERVER_ONLY: readonly OptionName[] = ["deferAccept"];
// What libuv's uv_tcp_keepalive, behind every setKeepAlive call, rewrites.
const KEEPALIVE: readonly OptionName[] = ["enable", "idle", "interval", "count"];

/**
 * Options validated once and turned into setsockopt calls per direction, with the
 * per-socket operations the hooks perform. Nothing here throws per socket: a failure is
 * reported under debug and the socket is left as the runtime made it.
 */
export class SocketPlan {
  /** Set on a client socket before connect(2); undefined when the mode leaves clients alone. */
  readonly client?: readonly Setting[];
  /** Set on a listening socket before listen(2); accepted sockets inherit them. */
  readonly server?: readonly Setting[];
  /** Set again after a setKeepAlive call, per direction (the configured options win). */
  readonly keepAlive: Record<Direction, readonly Setting[] | undefined>;
  private readonly libc: Libc;
  private readonly platform: Platform;
  private readonly report?: (line: string) => void;

  constructor({ options, mode = "socket", debug = false }: HookConfig) {
    this.platform = currentPlatform();
    const settings = compileOptions(options, this.platform);
    if (mode !== "listen") this.client = settings.filter(({ option }) => !SERVER_ONLY.includes(option));
    if (mode !== "connect") this.server = settings;
    const keepAlive = (of?: readonly Setting[]) => of?.filter(({ option }) => KEEPALIVE.includes(option));
    this.keepAlive = { client: keepAlive(this.client), server: keepAlive(this.server) };
    // Loaded now, so that a missing FFI shows at start-up rather than on the first connection.
    this.libc = loadLibc();
    if (debug) this.report = reportLine;
  }

  /** Sets the settings on fd; a failure is reported and stops that socket's remaining settings. */
  configure(fd: number, label: string, settings: readonly Setting[]): void {
    try {
      applySettings(this.libc, fd, settings);
      observeSocket(fd, label, settings);
      this.report?.(`fd ${fd} ${label}: ${describe(settings)}`);
    } catch (error) {
      observeSocket(fd, label, settings, error as KahookError);
      this.report?.(`fd ${fd} ${label}: ${(error as Error).message}`);
    }
  }

  /**
   * Configures a client handle just before its connect(2). libuv creates the socket inside
   * connect, too late for TCP_MAXSEG, TCP_WINDOW_CLAMP and TCP_SYNCNT to shape the SYN, so
   * when the handle has no socket yet kahook creates one and hands it over with open().
   * The options are set after open(): if the program called setKeepAlive before connect,
   * open() sets libuv's keepalive values (idle 60 s) and kahook's must come after them.
   * If socket() or open() fails, the handle is left alone and libuv creates its socket as usual.
   */
  prepareClient(handle: TcpHandle, ipVersion: 4 | 6): void {
    const settings = this.client;
    if (!settings) return;
    let fd = handle.fd;
    if (fd < 0) {
      const { family, type } = this.platform.tcpSocket;
      fd = this.libc.socket(family[ipVersion], type, 0);
      if (fd < 0) return this.report?.(`client: socket() failed: ${errnoName(this.platform, -fd)}`);
      const uvError = handle.open(fd);
      if (uvError !== 0) {
        this.libc.close(fd);
        return this.report?.(`fd ${fd} client: the handle refused it (libuv error ${uvError})`);
      }
    }
    this.configure(fd, "client", settings);
  }
}

/** "SO_KEEPALIVE=1 TCP_KEEPIDLE=15 ...": the constants and kernel-unit values, as set. */
function describe(settings: readonly Setting[]): string {
  return settings.map(({ socketOption, value }) => `${socketOption.constant}=${value}`).join(" ");
}

/** Written synchronously to fd 2, so lines are whole and ordered even if the program exits next. */
function reportLine(line: string): void {
  try {
    writeSync(2, `kahook: ${line}\n`);
  } catch {
    // stderr closed: debugging output is lost, the program goes on.
  }
}
