/** Small statistics for the benchmark suite. */

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * Runs every contender once per round, in an order that rotates each round, so that drift in
 * the machine's load spreads over all of them alike. Returns each contender's samples.
 */
export async function alternate<T extends string>(
  contenders: readonly T[],
  rounds: number,
  sample: (contender: T, round: number) => Promise<number>,
): Promise<Record<T, number[]>> {
  const samples = Object.fromEntries(contenders.map((c) => [c, [] as number[]])) as Record<T, number[]>;
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < contenders.length; i++) {
      const contender = contenders[(i + round) % contenders.length];
      samples[contender].push(await sample(contender, round));
    }
  }
  return samples;
}
