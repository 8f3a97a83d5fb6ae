import type { VanishingConnection } from "../src/deadpeer/connection.ts";
import type { Liveness } from "../src/deadpeer/liveness.ts";

/** The watcher's TCP_INFO at one moment, `atMs` after its peer vanished. */
export interface Sample {
  atMs: number;
  info: Liveness;
}

/**
 * Reads the watcher's TCP_INFO every `everyMs` ms until its socket ends or stop() is called,
 * and hands each sample to `onSample` as it comes.
 */
export function recordTimeline(
  connection: VanishingConnection,
  everyMs: number,
  onSample: (sample: Sample) => void = () => {},
): { samples: Sample[]; stop(): void } {
  const samples: Sample[] = [];
  const timer = setInterval(() => {
    const info = connection.info();
    if (!info) return stop();
    const sample = { atMs: performance.now() - connection.since, info };
    samples.push(sample);
    onSample(sample);
  }, everyMs);
  const stop = () => clearInterval(timer);
  void connection.closed.then(stop);
  return { samples, stop };
}
