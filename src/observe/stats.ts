/**
 * What kahook counted: the interposer's figures (read from the library) and the JavaScript hooks'
 * counters, summed as stats() gives them and per setting set as kahook/otel reports them.
 * @module
 */
import type { KahookError } from "../host/errors.ts";
import { KEPT_OPTIONS, type KeptOption } from "../abi/words.ts";
import { type Cause, CAUSES, type Figures, type SetFigures } from "../abi/figures.ts";
import { interposerFigures } from "../interposer/index.ts";
import { shared } from "../host/shared.ts";

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

/** Counts a socket the JavaScript hooks configured, or failed to. */
export function countSocket(label: string, error?: KahookError): void {
  const { counters } = shared;
  if (error) counters.failed++;
  else {
    counters.configured++;
    counters[label.startsWith("client") ? "clients" : "listeners"]++;
  }
}
