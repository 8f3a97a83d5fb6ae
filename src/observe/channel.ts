/**
 * The diagnostics_channel `kahook:socket`: one event per socket kahook configures or fails to,
 * published by the JavaScript hooks as they configure it, and for the interposer's sockets
 * drained from the library's ring of events every EVENT_DRAIN_MS.
 * @module
 */
import type { Channel } from "node:diagnostics_channel";
import type { KahookError } from "../host/errors.ts";
import { syscallError } from "../ffi/settings.ts";
import type { Setting } from "../config/options.ts";
import { EVENT, EVENT_KINDS, EVENT_WORDS } from "../abi/events.ts";
import { builtin } from "../host/builtin.ts";
import { every } from "../host/every.ts";
import { host } from "../host/host.ts";
import { shared } from "../host/shared.ts";
import { countSocket } from "./stats.ts";

/** The diagnostics_channel on which kahook publishes each socket it configures or fails to. */
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

let channel: Channel | undefined;

/** Publishes a socket on `kahook:socket`; the event is built only when anyone listens. */
function publish(fd: number, label: string, settings: readonly Setting[], error?: KahookError): void {
  if (!channel?.hasSubscribers) return;
  const values = Object.fromEntries(settings.map(({ socketOption, value }) => [socketOption.constant, value]));
  channel.publish(
    error ? { fd, label, settings: values, error } : { fd, label, settings: values } satisfies SocketEvent,
  );
}

/** Counts a socket the JavaScript hooks configured and, when anyone listens on `kahook:socket`, publishes it. */
export function observeSocket(fd: number, label: string, settings: readonly Setting[], error?: KahookError): void {
  countSocket(label, error);
  // The hooks run where node:net is loaded: the module costs nothing more.
  channel ??= builtin("node:diagnostics_channel").channel(SOCKET_CHANNEL);
  publish(fd, label, settings, error);
}

/** How often the interposer's events are drained, ms: an event reaches `kahook:socket` at most this long after its socket. */
export const EVENT_DRAIN_MS = 1000;
/** Events copied per call; a drain calls until the ring is empty. */
const BATCH = 256;

/** Where the drain is in the interposer's ring of events: the ring starts again at each install. */
const cursor = new BigInt64Array(1);
let draining = false;

/** Publishes the interposer's events that wait in its ring, or, while no one listens, moves past them. */
function drain(): void {
  const { interposer, installed, interposerPlan: plan } = shared;
  if (!interposer || installed?.by !== "interposer" || !plan) return;
  if (!channel?.hasSubscribers) return void interposer.events(new Int32Array(0), cursor);
  const words = new Int32Array(BATCH * EVENT_WORDS);
  const sets = plan.sets;
  for (let copied = BATCH; copied === BATCH;) {
    copied = interposer.events(words, cursor);
    for (let i = 0; i < copied; i++) {
      const event = words.subarray(i * EVENT_WORDS, (i + 1) * EVENT_WORDS);
      const { label, settings } = sets[event[EVENT.set]] ?? { label: "client", settings: [] };
      const fd = event[EVENT.fd];
      const failed = settings[event[EVENT.setting]];
      const error = event[EVENT.kind] === EVENT_KINDS.failed && failed
        ? syscallError("setsockopt", fd, failed.option, failed.socketOption, event[EVENT.errno], failed.value)
        : undefined;
      publish(fd, label, settings, error);
    }
  }
}

/**
 * Publishes the interposer's sockets on `kahook:socket`: the library records each socket it
 * configures in a fixed ring, which a timer drains every EVENT_DRAIN_MS while anyone listens.
 * Called at each install of the interposer; the timer starts once.
 */
export function watchInterposerEvents(): void {
  cursor[0] = 0n;
  if (draining) return;
  draining = true;
  every(EVENT_DRAIN_MS, () => {
    const loaded = channel ? Promise.resolve(channel) : host.channel(SOCKET_CHANNEL);
    // The program never sees an exception of kahook's.
    loaded.then((ready) => (channel = ready)).then(drain).catch(() => {});
  });
}
