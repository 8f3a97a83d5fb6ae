/**
 * In-process cost of kahook's FFI, in this runtime: ns per setsockopt call through the
 * backend kahook uses here (koffi, bun:ffi or Deno.dlopen), ns for kahook's per-connection
 * path (setSettings with the default configuration: 5 setsockopt calls), and, on a Node
 * with node:ffi, ns per call through node:ffi. The parent compares them with the same calls
 * made from C (native/setsockopt_loop.c). Prints one JSON line.
 */
import { createRequire } from "node:module";
import process from "node:process";
import { setSettings } from "../src/ffi/settings.ts";
import { configFromEnv } from "../src/config/env.ts";
import { loadLibc } from "../src/runtimes/libc.ts";
import { compileOptions } from "../src/config/options.ts";
import { currentPlatform } from "../src/sys/index.ts";

const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 100_000);
const platform = currentPlatform();
const libc = loadLibc();
const fd = libc.socket(platform.tcpSocket.family[4], platform.tcpSocket.type, 0);
if (fd < 0) throw new Error(`socket() failed: errno ${-fd}`);
const idle = platform.options.idle!;

/** ns per call of body, after a warm-up that lets the JIT compile it. */
function nsPer(body: () => void): number {
  for (let i = 0; i < ITERATIONS / 10; i++) body();
  const started = process.hrtime.bigint();
  for (let i = 0; i < ITERATIONS; i++) body();
  return Number(process.hrtime.bigint() - started) / ITERATIONS;
}

/** node:ffi (Node ≥ 26.1, experimental): the same setsockopt call, for comparison only. */
function nodeFfiCall(): (() => void) | undefined {
  const getBuiltin = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
  if ("Bun" in globalThis || "Deno" in globalThis || !getBuiltin?.("node:ffi")) return undefined;
  const ffi = createRequire(import.meta.url)("node:ffi");
  const path = platform.libc(process.arch).find((candidate) => {
    try {
      return ffi.dlopen(candidate, {}) !== undefined;
    } catch {
      return false;
    }
  });
  const { functions } = ffi.dlopen(path, {
    setsockopt: { arguments: ["i32", "i32", "i32", "pointer", "u32"], return: "i32" },
  });
  const value = new Int32Array([15]);
  const pointer = ffi.getRawPointer(value);
  return () => functions.setsockopt(fd, idle.level, idle.name, pointer, 4);
}

const settings = compileOptions(configFromEnv({}).options, platform);
const viaNodeFfi = nodeFfiCall();
const result = {
  settings: settings.length,
  nsPerCall: nsPer(() => libc.setsockopt(fd, idle.level, idle.name, 15)),
  nsPerPath: nsPer(() => setSettings(libc, fd, settings)),
  nodeFfiNsPerCall: viaNodeFfi ? nsPer(viaNodeFfi) : undefined,
};
libc.close(fd);
process.stdout.write(JSON.stringify(result) + "\n");
