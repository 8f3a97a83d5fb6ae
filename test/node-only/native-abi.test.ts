/**
 * What the native files the package ships ask of the C library they load into, read from their
 * ELF dynamic sections the way auditwheel checks a manylinux wheel: the libraries they need, the
 * highest glibc symbol version they need (manylinux2014's floor, glibc 2.17, is the ceiling), and
 * that musl, which ignores symbol versions, defines every symbol they need. The list of files is
 * the packed tarball's, so a file added to the package is checked too. And that the header of what
 * the TypeScript side and the library pass each other, native/interposer/abi.h, is the one the
 * TypeScript side renders.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { execFileSync } from "../../src/host/spawn.ts";
import { FIGURE_COUNT, FIGURES_MAGIC } from "../../src/abi/figures.ts";
import { renderHeader } from "../../src/abi/header.ts";
import type { Arch } from "../_platforms.ts";
import { root } from "../_repo.ts";

/** manylinux2014: nothing newer than glibc 2.17, whose first arm64 release it is. */
const CEILING = [2, 17];
/** The libraries a shipped file may need: glibc's, which musl answers with itself. */
const ALLOWED = ["libc.so.6", "libdl.so.2"];
const MUSL: Record<Arch, string> = {
  x64: "/usr/lib/x86_64-linux-musl/libc.so",
  arm64: "/usr/lib/aarch64-linux-musl/libc.so",
};

const readelf = (args: string[], file: string) =>
  execFileSync("readelf", ["-W", ...args, file], { encoding: "utf8", maxBuffer: 64 << 20 });

/** The native files of `npm pack`'s tarball. */
const packed: string[] = JSON.parse(
  execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: root, encoding: "utf8" }),
)[0].files.map(({ path }: { path: string }) => path).filter((path: string) => path.startsWith("native/"));

/** DT_NEEDED entries. */
const needed = (file: string) =>
  [...readelf(["-d"], file).matchAll(/\(NEEDED\)\s+Shared library: \[(.+?)\]/g)].map((m) => m[1]);

/** The versions of .gnu.version_r, as "libc.so.6 GLIBC_2.14". */
const versionsNeeded = (file: string) => {
  const text = readelf(["-V"], file);
  const section = text.slice(text.indexOf("Version needs section"));
  const lines: string[] = [];
  let library = "";
  for (const line of section.split("\n")) {
    library = line.match(/File: (\S+)/)?.[1] ?? library;
    const name = line.match(/Name: (\S+)/)?.[1];
    if (name) lines.push(`${library} ${name}`);
  }
  return lines;
};

/** Names in .dynsym: the undefined ones that must be found (not weak), or those defined. */
function symbols(file: string, which: "required" | "defined"): Set<string> {
  const names = new Set<string>();
  for (const line of readelf(["--dyn-syms"], file).split("\n")) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 8 || !/^\d+:$/.test(fields[0]!)) continue;
    const [bind, index, name] = [fields[4], fields[6], fields[7]!.replace(/@.*/, "")];
    if (which === "required" ? index === "UND" && bind === "GLOBAL" : index !== "UND") names.add(name);
  }
  return names;
}

const archOf = (path: string): Arch => (path.includes("linux-arm64") ? "arm64" : "x64");
const newer = (version: number[]) =>
  version[0]! > CEILING[0]! || (version[0] === CEILING[0] && version[1]! > CEILING[1]!);

test("the tarball ships the interposer for x86_64 and arm64, as a Node-API addon and as libkahook.so", () => {
  assert.equal(packed.sort(), [
    "native/build/linux-arm64/kahook.node",
    "native/build/linux-arm64/libkahook.so",
    "native/build/linux-x64/kahook.node",
    "native/build/linux-x64/libkahook.so",
  ]);
});

for (const path of packed) {
  const file = join(root, path);
  test(`${path}: needs only ${ALLOWED.join(" and ")}, and no glibc symbol version above ${CEILING.join(".")}`, () => {
    assert.equal(needed(file).filter((name) => !ALLOWED.includes(name)), [], "libraries needed");
    const versions = versionsNeeded(file);
    assert.ok(versions.length > 0, "versions are read: the file asks for some");
    const tooNew = versions.filter((entry) => {
      const [, major, minor] = entry.match(/GLIBC_(\d+)\.(\d+)/) ?? [];
      return major === undefined || newer([Number(major), Number(minor)]);
    });
    assert.equal(tooNew, [], `versions needed: ${versions.join(", ")}`);
  });

  test(`${path}: musl defines every symbol it needs`, () => {
    const musl = symbols(MUSL[archOf(path)], "defined");
    const required = [...symbols(file, "required")];
    assert.ok(required.includes("dl_iterate_phdr"), "the undefined symbols are read");
    assert.equal(required.filter((name) => !musl.has(name)), []);
  });
}

test("native/interposer/abi.h is what the TypeScript side renders: one source for both sides", () => {
  const committed = readFileSync(join(root, "native/interposer/abi.h"), "utf8");
  assert.fixture(committed, renderHeader(), "native/interposer/abi.h is stale: npm run abi writes it");
  assert.match(committed, `STAT_TOTAL = ${FIGURE_COUNT} }`, "the figures' length");
  for (const path of packed) {
    const text = readFileSync(join(root, path)).toString("latin1");
    assert.ok(text.includes(FIGURES_MAGIC), `${path} names its figures' layout ${FIGURES_MAGIC}`);
  }
});

test.run();
