/**
 * Random input to the environment parser and to option validation: only KahookError may come
 * out, and what is accepted is exactly what was written. Seeded, so a failure can be replayed
 * with KAHOOK_FUZZ_SEED.
 */
import process from "node:process";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { compileOptions, configFromEnv, KahookError, type KeepAliveOptions } from "../mod.ts";
import { VARIABLES } from "../src/config/env.ts";
import { linux } from "../src/sys/linux.ts";
import { OPTION_NAMES } from "../src/sys/platform.ts";

const ROUNDS = 5_000;
const seed = Number(process.env.KAHOOK_FUZZ_SEED ?? Date.now() % 2 ** 31);

/** mulberry32: a small, fast, seedable generator. */
function generator(state: number): () => number {
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

const random = generator(seed);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
const ALPHABET = "0123456789-+. exXabcsmh_\t\n١٢\u0000e";
const EDGES = [
  "",
  "0",
  "-0",
  "-1",
  "00",
  "1",
  "127",
  "128",
  "32767",
  "32768",
  "2147483647",
  "2147483648",
  "9".repeat(400),
  "Infinity",
  "NaN",
];

function randomString(): string {
  if (random() < 0.3) return pick(EDGES);
  if (random() < 0.3) return String(Math.floor(random() * 70_000));
  const length = Math.floor(random() * 12);
  return Array.from({ length }, () => pick([...ALPHABET])).join("");
}

function randomValue(): unknown {
  return pick([
    () => Math.floor((random() - 0.3) * 2 ** Math.floor(random() * 40)),
    () => random() * 1e6,
    () => pick([NaN, Infinity, -Infinity, -0, 2 ** 53, Number.MAX_VALUE]),
    () => randomString(),
    () => pick([true, false, null, {}, [], 10n]),
  ])();
}

const MS_PER_UNIT: Record<string, number> = { idle: 1000, interval: 1000, deferAccept: 1000 };

test(`environment parser: ${ROUNDS} random environments (seed ${seed})`, () => {
  let accepted = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const env: Record<string, string> = {};
    for (const { name } of VARIABLES) if (random() < 0.4) env[name] = randomString();
    let config;
    try {
      config = configFromEnv(env, linux);
    } catch (error) {
      assert.instance(error, KahookError, `seed ${seed} round ${round}: ${String(error)}`);
      const variable = (error as KahookError).variable!;
      assert.ok(variable in env, `the error names ${variable}, which is set`);
      continue;
    }
    accepted++;
    for (const { name, option } of VARIABLES) {
      const raw = env[name];
      if (raw === undefined || (option === "userTimeout" && raw === "-1")) continue;
      assert.match(raw, /^[0-9]+$/, `${name}=${JSON.stringify(raw)} was accepted`);
      const expected = Number(raw) === 0 ? undefined : Number(raw) * (MS_PER_UNIT[option] ?? 1);
      assert.is(config.options[option], expected, `${name}=${raw} is used as written (seed ${seed})`);
    }
  }
  assert.ok(accepted > 0, "some environments were valid");
});

test(`option validation: ${ROUNDS} random option objects (seed ${seed})`, () => {
  for (let round = 0; round < ROUNDS; round++) {
    const options: Record<string, unknown> = {};
    for (const option of OPTION_NAMES) if (random() < 0.3) options[option] = randomValue();
    let settings;
    try {
      settings = compileOptions(options as KeepAliveOptions, linux);
    } catch (error) {
      assert.instance(error, KahookError, `seed ${seed} round ${round}: ${String(error)}`);
      assert.ok((error as KahookError).option! in options);
      continue;
    }
    // Everything accepted becomes exactly one setting, in range for the kernel.
    const given = OPTION_NAMES.filter((o) => options[o] !== undefined);
    assert.equal(settings.map((s) => s.option), given);
    for (const { socketOption, value } of settings) {
      assert.ok(
        Number.isInteger(value) && value >= socketOption.min && value <= socketOption.max,
        `${socketOption.constant} ${value}`,
      );
    }
  }
});

test.run();
