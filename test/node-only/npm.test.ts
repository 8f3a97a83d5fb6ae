/**
 * The npm package as `npm publish` would upload it (dist/ built by `npm test`'s pretest): no
 * warning but the missing login, and a tarball of what the runtimes load and nothing else. The
 * registry is a closed loopback port and npm is offline, so nothing leaves the machine.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "../../src/host/spawn.ts";
import { root } from "../_repo.ts";
import { cleanEnv } from "../_run.ts";

const npm = (args: string[]) =>
  spawnSync("npm", [...args, "--ignore-scripts", "--offline", "--registry=http://127.0.0.1:9/"], {
    cwd: root,
    encoding: "utf8",
    env: cleanEnv(),
    timeout: 120_000,
  });

test("npm publish --dry-run warns of nothing but the missing login", () => {
  const result = npm(["publish", "--dry-run"]);
  assert.is(result.status, 0, result.stderr);
  const warnings = result.stderr.split("\n").filter((line) => /\bwarn\b/i.test(line));
  assert.equal(warnings.filter((line) => !/requires you to be logged in/.test(line)), []);
});

test("the tarball holds the build, both bundles of the preload, the native libraries for x64 and arm64, and nothing else", () => {
  const result = npm(["pack", "--dry-run", "--json"]);
  assert.is(result.status, 0, result.stderr);
  const files: string[] = JSON.parse(result.stdout)[0].files.map(({ path }: { path: string }) => path);
  const expected = [
    "dist/src/register.cjs",
    "dist/src/register.js",
    "dist/mod.js",
    "dist/mod.d.ts",
    "dist/src/cli.js",
    "LICENSE",
  ];
  for (const arch of ["x64", "arm64"]) {
    expected.push(`native/build/linux-${arch}/kahook.node`, `native/build/linux-${arch}/libkahook.so`);
  }
  assert.equal(expected.filter((path) => !files.includes(path)), []);
  const shipped = (path: string) =>
    /^dist\/(mod|src\/.+)\.(js|cjs|d\.ts)$/.test(path) ||
    /^native\/build\/linux-(x64|arm64)\/(kahook\.node|libkahook\.so)$/.test(path) ||
    ["LICENSE", "README.md", "package.json"].includes(path);
  assert.equal(files.filter((path) => !shipped(path)), []);
  assert.not.ok(
    files.some((path) =>
      path.startsWith("dist/test/") || path.startsWith("dist/bench/") || path.endsWith(".ts") && !path.endsWith(".d.ts")
    ),
  );
});

test("both bundles of the preload are one file each: they import no module of kahook's but the fallback bundle of their own form, or the sources' when the ES module runs from them (a bare tsc leaves register.js unbundled)", () => {
  const sources = "./fallback/install.ts";
  for (
    const [file, fallback] of [["dist/src/register.js", "./fallback.js"], ["dist/src/register.cjs", "./fallback.cjs"]]
  ) {
    const text = readFileSync(join(root, file), "utf8");
    assert.not.match(text, /^import /m, file);
    const relative = [...text.matchAll(/\bfrom "(\.[^"]*)"|\b(?:require|import)\("(\.[^"]*)"\)/g)];
    assert.equal(
      relative.map((match) => match[1] ?? match[2]).filter((path) => path !== fallback && path !== sources),
      [],
      file,
    );
    assert.ok(text.includes(`"${fallback}"`), `${file} names ${fallback}, where the fallback lives`);
    assert.match(text, /function installInterposer\(/, file);
  }
});

test.run();
