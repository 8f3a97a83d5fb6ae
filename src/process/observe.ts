import type { Channel } from "node:diagnostics_channel";
import type { KahookError } from "../api/errors.ts";
import { interposerStats } from "../interposer/index.ts";
import type { Setting } from "../config/options.ts";
import { builtin } from "../runtimes/index.ts";
import { shared } from "./shared.ts";

/** The diagnostics_channel on which the hooks publish each socket they configure or fail to. */
export const SOCKET_CHANNEL = "kahook:socket";

/** What `kahook:socket` carries. */
export interface SocketEvent {
  /** The socket's file descriptor in this process. */
  fd: number;
  /** Which socket: "client", "server", "accepted after setKeepAlive(true, 60)", ... */
  label: string;
  /** The options as set, by C constant, in kernel units: { TCP_KEEPIDLE: 15, ... }. */
  settings: Record<string, number>;
  /** Set when a setsockopt failed; the options before it stay set. */
  error?: KahookError;
}

/** Counters since the process started. */
export interface Stats {
  /** Sockets on which every option was set. */
  configured: number;
  /** Sockets on which a setsockopt failed. */
  failed: number;
  /**
   * Sockets the interposer configured whose fd lies beyond its tag table (1 Mi fds: only when
   * fs.nr_open was raised): the program's later keepalive calls on them are not replaced.
   */
  untagged: number;
  /** Slots the interposer left unpatched now, its table (512) being full: calls through them pass it by. */
  slotsUnpatched: number;
}

let channel: Channel | undefined;

/** A copy of the counters: the interposer's and the JavaScript hooks', whichever configured the sockets. */
export function stats(): Stats {
  const { counters } = shared;
  const native = interposerStats();
  return {
    configured: counters.configured + (native?.configured ?? 0),
    failed: counters.failed + (native?.failed ?? 0),
    untagged: native?.untagged ?? 0,
    slotsUnpatched: native?.slotsUnpatched ?? 0,
  };
}

/** Counts a socket and, when anyone listens on `kahook:socket`, publishes it. */
export function observeSocket(fd: number, label: string, settings: readonly Setting[], error?: KahookError): void {
  shared.counters[error ? "failed" : "configured"]++;
  channel ??= builtin("node:diagnostics_channel").channel(SOCKET_CHANNEL);
  if (!channel.hasSubscribers) return;
  const values = Object.fromEntries(settings.map(({ socketOption, value }) => [socketOption.constant, value]));
  channel.publish(
    error ? { fd, label, settings: values, error } : { fd, label, settings: values } satisfies SocketEvent,
  );
}
