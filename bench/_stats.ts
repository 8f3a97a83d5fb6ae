/** Small statistics for the benchmark suite. */

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * Runs every contender once per round, in an order that rotates each round and runs backwards
 * every other round, so that drift in the machine's load spreads over all of them alike and no
 * contender always follows the same one (whose after-effects, a large process's exit, it would
 * inherit). Returns each contender's samples.
 */
export async function alternate<T extends string>(
  contenders: readonly T[],
  rounds: number,
  sample: (contender: T, round: number) => Promise<number>,
): Promise<Record<T, number[]>> {
  const samples = Object.fromEntries(contenders.map((c) => [c, [] as number[]])) as Record<T, number[]>;
  for (let round = 0; round < rounds; round++) {
    const order = contenders.map((_, i) => contenders[(i + round) % contenders.length]);
    if (round % 2 === 1) order.reverse();
    for (const contender of order) samples[contender].push(await sample(contender, round));
  }
  return samples;
}
