import type { Channel } from "node:diagnostics_channel";
import type { KahookError } from "../api/errors.ts";
import { syscallError } from "../api/keepalive.ts";
import type { Setting } from "../config/options.ts";
import { KEPT_OPTIONS, type KeptOption } from "../interposer/abi.ts";
import { type Cause, CAUSES, type Figures, type SetFigures } from "../interposer/figures.ts";
import { interposerFigures } from "../interposer/index.ts";
import { EVENT, EVENT_KINDS, EVENT_WORDS } from "../interposer/native.ts";
import { builtin, host } from "../runtimes/index.ts";
import { shared } from "./shared.ts";

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

/** Counters since kahook was installed. */
export interface Stats {
  /** Sockets on which every option was set: client connections and listening sockets. */
  configured: number;
  /** Of those, client connections. */
  clients: number;
  /** Of those, listening sockets (the connections they accept inherit their options in the kernel). */
  listeners: number;
  /** Sockets on which a setsockopt failed. */
  failed: number;
  /**
   * Values kept (the interposer): a later setsockopt of the program, a driver or the runtime,
   * replaced by the configured value, by option.
   */
  kept: Record<KeptOption, number>;
  /**
   * Connections that ended timed out (the interposer, with KAHOOK_METRICS=1): keepalive probes
   * unanswered, TCP_USER_TIMEOUT, or the kernel's retransmission limit with no user timeout set.
   */
  deadPeers: Record<Cause, number>;
  /**
   * Sockets the interposer configured whose fd lies beyond its tag table (1 Mi fds: only when
   * fs.nr_open was raised): the program's later keepalive calls on them are not replaced.
   */
  untagged: number;
  /** Slots the interposer left unpatched now, its table (512) being full: calls through them pass it by. */
  slotsUnpatched: number;
  /** Events of the interposer's sockets that were overwritten before `kahook:socket` got them. */
  eventsLost: number;
}

const zeros = <Key extends string>(keys: readonly Key[]) =>
  Object.fromEntries(keys.map((key) => [key, 0])) as Record<Key, number>;

/** One setting set's figures and what names it, as kahook/otel reports them. */
export interface SetRow {
  /** Whose set: client connections', or listeners' (and so the connections they accept). */
  direction: "client" | "listener";
  /** The rule's position from 1 (in KAHOOK_RULES, or install()'s rules), when the set is a rule's. */
  rule?: number;
  /** Sockets configured with the set. */
  configured: number;
  /** Connections of the set that ended timed out, by cause; absent unless the interposer counts them (KAHOOK_METRICS=1). */
  dead?: Record<Cause, number>;
}

/**
 * The figures per setting set: the interposer's, [0] listeners, [1] clients, [2 + i] rule i, with
 * the JavaScript hooks' added to the first two, as the hooks count by direction only.
 */
function rowsOf(figures: Figures | undefined): SetRow[] {
  const { counters, interposerPlan } = shared;
  const none: SetFigures = { configured: 0, failed: 0, dead: zeros(CAUSES) };
  const [listeners = none, clients = none, ...rules] = figures?.sets ?? [];
  const dead = (set: SetFigures) => (interposerPlan?.metrics ? { dead: set.dead } : {});
  return [
    { direction: "listener", configured: listeners.configured + counters.listeners, ...dead(listeners) },
    { direction: "client", configured: clients.configured + counters.clients, ...dead(clients) },
    ...rules.map((set, index) => ({
      direction: "client" as const,
      rule: index + 1,
      configured: set.configured,
      ...dead(set),
    })),
  ];
}

/** The figures kahook/otel reports, read once: per setting set, and the values kept by option. */
export function figuresBySet(): { sets: SetRow[]; kept: Record<KeptOption, number> } {
  const figures = interposerFigures();
  return { sets: rowsOf(figures), kept: figures?.kept ?? zeros(KEPT_OPTIONS) };
}

/** A copy of the counters: the interposer's and the JavaScript hooks', whichever configured the sockets. */
export function stats(): Stats {
  const figures = interposerFigures();
  const rows = rowsOf(figures);
  const configured = (direction?: SetRow["direction"]) =>
    rows.reduce((total, row) => total + (direction && row.direction !== direction ? 0 : row.configured), 0);
  return {
    configured: configured(),
    clients: configured("client"),
    listeners: configured("listener"),
    failed: shared.counters.failed + (figures?.totals.failed ?? 0),
    kept: figures?.kept ?? zeros(KEPT_OPTIONS),
    deadPeers: Object.fromEntries(
      CAUSES.map((cause) => [cause, rows.reduce((total, row) => total + (row.dead?.[cause] ?? 0), 0)]),
    ) as Record<Cause, number>,
    untagged: figures?.totals.untagged ?? 0,
    slotsUnpatched: figures?.totals.slotsUnpatched ?? 0,
    eventsLost: figures?.totals.eventsLost ?? 0,
  };
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
  const { counters } = shared;
  if (error) counters.failed++;
  else {
    counters.configured++;
    counters[label.startsWith("client") ? "clients" : "listeners"]++;
  }
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
  host.every(EVENT_DRAIN_MS, () => {
    const loaded = channel ? Promise.resolve(channel) : host.channel(SOCKET_CHANNEL);
    // The program never sees an exception of kahook's.
    loaded.then((ready) => (channel = ready)).then(drain).catch(() => {});
  });
}
