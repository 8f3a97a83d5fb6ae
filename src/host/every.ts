/**
 * A periodic call that keeps no process alive and costs next to nothing to set up: woken by the
 * timeout of Atomics.waitAsync on a cell no one notifies, which every runtime implements without
 * its timers. A timer would do the same, but Deno loads its timers on the first one (≈ 7 ms).
 * @module
 */

/** Atomics.waitAsync, which the ES2022 library this build types against does not declare. */
type WaitAsync = (cell: Int32Array, index: number, value: number, timeoutMs: number) => {
  async: boolean;
  value: Promise<unknown> | string;
};

/** Calls run every ms milliseconds while the process lives; run's exceptions are dropped. */
export function every(ms: number, run: () => void): void {
  const cell = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
  const waitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync;
  const wait = (): void => {
    const { async, value } = waitAsync(cell, 0, 0, ms);
    (async ? (value as Promise<unknown>) : Promise.resolve()).then(run).catch(() => {}).then(wait);
  };
  wait();
}
