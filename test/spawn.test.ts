import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import process from "node:process";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { runtime } from "../src/host/host.ts";
import { ownEnv, spawnSync } from "../src/host/spawn.ts";
import { root } from "./_repo.ts";

test("ownEnv adds DENO_NO_UPDATE_CHECK=1 to the environment given and keeps the rest", () => {
  const given = { PATH: "/bin", DENO_NO_UPDATE_CHECK: "0" };
  assert.equal(ownEnv(given), { PATH: "/bin", DENO_NO_UPDATE_CHECK: "1" });
  assert.is(given.DENO_NO_UPDATE_CHECK, "0", "the caller's object is not changed");
});

test("a runtime child started through src/host/spawn.ts has DENO_NO_UPDATE_CHECK=1 though its given environment lacks it", () => {
  const code = "console.log(JSON.stringify(process.env.DENO_NO_UPDATE_CHECK ?? null))";
  const args = runtime === "deno" ? ["eval", code] : ["-e", code];
  const result = spawnSync(process.execPath, args, {
    env: { PATH: process.env.PATH },
    encoding: "utf8",
    timeout: 30_000,
  });
  assert.is(result.status, 0, String(result.stderr));
  assert.is(JSON.parse(String(result.stdout)), "1");
});

/** The files that may start processes with node:child_process itself. */
const ALLOWED = [
  "src/host/spawn.ts",
  // `kahook run` starts the user's program with the user's environment.
  "src/commands/run.ts",
];

function sources(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      return entry.name === "node_modules" || path === join("test", "runtimes") ? [] : sources(path);
    }
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

test("every other file starts processes through src/host/spawn.ts: it imports no value from node:child_process", () => {
  const valueImport = /^import\s+(?!type\b)[^;]*from\s+["']node:child_process["']/m;
  const offenders = ["src", "test", "bench"].flatMap(sources).filter((file) =>
    !ALLOWED.includes(relative(root, join(root, file))) && valueImport.test(readFileSync(join(root, file), "utf8"))
  );
  assert.equal(offenders, []);
});

test.run();
