/**
 * The test platforms of test/_platforms.ts are what they claim, on real runs: a C program built
 * for each (PIE and fixed-address) names the platform's loader and machine, loads its C library
 * (glibc 2.17 from the sysroot, or musl), connects over loopback, opens a library built by
 * Debian's gcc with dlopen and calls it, and runs with another one preloaded. Node 16 and Bun
 * for musl do the same from JavaScript.
 */
import { execFileSync } from "../../src/host/spawn.ts";
import type { SpawnSyncReturns } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  type Arch,
  BUN_MUSL,
  bunMuslEnv,
  compile,
  DEBIAN,
  NODE16,
  type Platform,
  platform,
  PLATFORMS,
  run,
} from "../_platforms.ts";
import { root } from "../_repo.ts";

/** The runtimes' pinned versions: platforms.sh unpacks Bun for musl at Bun's. */
const pinned = JSON.parse(readFileSync(join(root, "test/runtimes/package.json"), "utf8"));
// Real, as /proc/self/maps gives the paths of loaded files.
const dir = realpathSync(mkdtempSync(join(tmpdir(), "kahook-platforms-")));
const fixture = (name: string) => join(root, "test/fixtures/platforms", name);

/** peer.c and preload.c built by Debian's gcc for each arch, into dir/ARCH/. */
const libraries = Object.fromEntries((["x64", "arm64"] as const).map((arch) => {
  mkdirSync(join(dir, arch));
  const library = (name: string) => {
    const output = join(dir, arch, `${name}.so`);
    compile(DEBIAN[arch].compiler, [fixture(`${name}.c`)], output, ["-shared", "-fPIC"]);
    return output;
  };
  return [arch, { peer: library("peer"), preload: library("preload") }];
})) as Record<Arch, { peer: string; preload: string }>;

/** The C library files among the paths of loaded objects, as real paths: glibc's libc-VERSION.so, musl's libc.so. */
const cLibraries = (paths: string[]) => [
  ...new Set(paths.filter((path) => /^(libc[-.]|ld-musl-)/.test(basename(path))).map((path) => realpathSync(path))),
];

/**
 * Checks a run of probe.c or runtime.mjs on p with the preload: the preload's line from the
 * process spawned (under qemu-user, qemu's own), then the JSON line; returns the JSON.
 */
// deno-lint-ignore no-explicit-any -- the program's JSON, checked field by field
function checkRun(p: Platform, child: SpawnSyncReturns<string>): Record<string, any> {
  const { peer, preload } = libraries[p.arch];
  assert.is(child.status, 0, `${p.name}: ${child.stderr}`);
  // qemu-aarch64 complains here when LD_PRELOAD reaches it rather than the emulated program.
  assert.is(child.stderr, "", `${p.name}: nothing on stderr`);
  const [preloaded, json, ...rest] = child.stdout.trimEnd().split("\n");
  assert.equal(rest, [], child.stdout);
  assert.is(preloaded, `preloaded into ${child.pid}`);
  const r = JSON.parse(json!);
  assert.is(r.pid, child.pid);
  assert.is(r.glibc, p.glibc, "gnu_get_libc_version(), or the runtime's report");
  assert.equal(cLibraries(r.objects), [realpathSync(p.libc)], `the C library loaded: ${r.objects}`);
  assert.is(r.echoed, "k", "the byte echoed over loopback");
  assert.is(r.peer, "peer 42", "the Debian-built library's answer");
  for (const library of [peer, preload]) assert.ok(r.objects.includes(library), `${library} in ${r.objects}`);
  return r;
}

/** What readelf says of a file's ELF header and program headers. */
function elf(file: string): { machine: string; type: string; interpreter: string } {
  const text = execFileSync("readelf", ["-h", "-l", file], { encoding: "utf8" });
  const field = (pattern: RegExp) => text.match(pattern)?.[1] ?? "";
  return {
    machine: field(/^\s*Machine:\s+(.+)$/m),
    type: field(/^\s*Type:\s+(\w+)/m),
    interpreter: field(/Requesting program interpreter: (.+)\]/),
  };
}
const MACHINES: Record<Arch, string> = { x64: "Advanced Micro Devices X86-64", arm64: "AArch64" };

const LINKS = [
  { link: "PIE", flags: ["-pie", "-fPIE"], type: "DYN" },
  { link: "fixed-address", flags: ["-no-pie"], type: "EXEC" },
];

for (const p of PLATFORMS) {
  for (const { link, flags, type } of LINKS) {
    test(`${p.name}, ${link}: its loader, its C library, loopback TCP, dlopen and LD_PRELOAD of Debian-built libraries`, () => {
      const program = join(dir, `probe-${p.name}-${link}`);
      compile(p.compiler, [fixture("probe.c")], program, [...flags, "-pthread", "-ldl"]);
      assert.equal(elf(program), { machine: MACHINES[p.arch], type, interpreter: p.loader });
      const { peer, preload } = libraries[p.arch];
      const r = checkRun(p, run(p, program, [peer], { preload }));
      // Before glibc 2.34, libpthread.so.0 has its own connect, and a program linked with it binds to that one.
      assert.is(r.connect, p.glibc ? join(dirname(p.loader), "libpthread.so.0") : p.loader, "connect's object");
    });
  }
}

test("Node 16 on glibc-2.17-x64: reports glibc 2.17, connects over loopback, loads a Debian-built addon and preload", () => {
  const glibc = platform("glibc-2.17-x64");
  const { peer, preload } = libraries.x64;
  const r = checkRun(glibc, run(glibc, NODE16, [fixture("runtime.mjs"), peer], { preload }));
  assert.ok(r.objects.includes(realpathSync(NODE16)), "the Node 16 binary");
});

test("Bun for musl on musl-x64: console.log, loopback TCP, bun:ffi on a Debian-built library, and a preload", () => {
  mkdirSync(join(dir, "shim"));
  const musl = platform("musl-x64");
  const env = bunMuslEnv(join(dir, "shim"));
  const version = run(musl, BUN_MUSL, ["-e", "console.log(process.versions.bun)"], { env });
  assert.is(version.stdout, `${pinned.dependencies.bun}\n`, version.stderr);
  const { peer, preload } = libraries.x64;
  const r = checkRun(musl, run(musl, BUN_MUSL, [fixture("runtime.mjs"), peer], { preload, env }));
  assert.ok(r.objects.includes(realpathSync(BUN_MUSL)), "the musl Bun binary");
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test.run();
