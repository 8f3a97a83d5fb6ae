import { spawn } from "node:child_process";
import { once } from "node:events";
import process from "node:process";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { selfSignedCert } from "../_cert.ts";
import { join } from "node:path";
import { assertConfigured, CONFIGURED_ENV } from "../_configured.ts";
import { readbacks } from "../_report.ts";
import { here, packageRoot, run, runRuntime, succeeded } from "../_run.ts";

const cli = `${packageRoot}dist/src/cli.js`;
const runtimes = `${packageRoot}test/runtimes/node_modules`;
const kahook = (args: string[], env?: Record<string, string>) => runRuntime([cli, ...args], env);

/** CONFIGURED_ENV as kahook run's options. */
const CONFIGURED_FLAGS = [
  "--idle", "11", "--interval", "7", "--count", "3", "--user-timeout", "12345",
  "--syn-count", "2", "--max-segment", "1000", "--window-clamp", "20000",
];

test("kahook run -- node app.js gives the same readback as the preload, on every path", () => {
  const cert = selfSignedCert();
  const app = [process.execPath, here("_paths")];
  const byRun = readbacks(succeeded(kahook(["run", ...CONFIGURED_FLAGS, "--", ...app], cert)));
  const byPreload = readbacks(succeeded(run(process.execPath, ["--import", "kahook/register", here("_paths")], { ...cert, ...CONFIGURED_ENV })));
  assert.is(byRun.length, 22);
  assert.equal(byRun, byPreload);
});

for (const [name, binary, args] of [
  ["bun", join(runtimes, "bun/bin/bun.exe"), []],
  ["deno run", join(runtimes, "@deno/linux-x64-glibc/deno"), ["run", "--allow-ffi", "--allow-env", "--allow-net", "--allow-read", "--allow-sys"]],
] as const) {
  test(`kahook run -- ${name} app.ts gives every path the configuration, read back`, () => {
    const result = kahook(["run", ...CONFIGURED_FLAGS, "--", binary, ...args, `${packageRoot}test/_paths.ts`], selfSignedCert());
    const lines = readbacks(succeeded(result));
    assert.ok(lines.some(({ path }) => path.startsWith(name.split(" ")[0] === "bun" ? "Bun." : "Deno.")), result.stdout);
    for (const readback of lines) assertConfigured(readback, readback.path === "https.createServer" && readback.role === "accepted");
  });
}

test("NODE_OPTIONS keeps what was there, with the preload appended", () => {
  const print = ["run", "--", process.execPath, "-p", "process.env.NODE_OPTIONS"];
  const options = succeeded(kahook(print, { NODE_OPTIONS: "--max-old-space-size=100" })).trim();
  assert.match(options, /^--max-old-space-size=100 --import=file:\/\/\S+\/register\.js$/);
});

test("the exit status of COMMAND is passed through", () => {
  assert.is(kahook(["run", "--", "sh", "-c", "exit 7"]).status, 7);
});

test("COMMAND killed by a signal: kahook dies of the same signal", () => {
  assert.is(kahook(["run", "--", "sh", "-c", "kill -TERM $$"]).signal, "SIGTERM");
});

test("a signal sent to kahook reaches COMMAND", async () => {
  const app = "process.on('SIGTERM', () => { console.log('got SIGTERM'); process.exit(3); }); console.log('ready'); setInterval(() => {}, 1000);";
  const child = spawn(process.execPath, [cli, "run", "--", process.execPath, "-e", app], { stdio: ["ignore", "pipe", "inherit"] });
  let stdout = "";
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (chunk: string) => {
    stdout += chunk;
    if (stdout === "ready\n") child.kill("SIGTERM");
  });
  // Generous: the app starts in well under a second.
  const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  const [status] = await once(child, "exit");
  clearTimeout(timer);
  assert.is(stdout, "ready\ngot SIGTERM\n");
  assert.is(status, 3);
});

test("an invalid value stops before COMMAND runs, naming the variable (exit 78)", () => {
  const result = kahook(["run", "--idle", "30s", "--", "sh", "-c", "echo ran"]);
  assert.is(result.status, 78);
  assert.is(result.stdout, "");
  assert.match(result.stderr, /^kahook: TCP_KEEPIDLE="30s" is not valid/);
});

test("bad command lines exit 2 with a pointer to --help", () => {
  for (const args of [["run", "--bogus", "--", "true"], ["run", "--idle"], ["run"], ["run", "--", "deno", "eval", "1"]]) {
    const result = kahook(args);
    assert.is(result.status, 2, args.join(" "));
    assert.match(result.stderr, /^kahook: .*; see kahook --help\n$/);
  }
  assert.is(kahook(["start"]).status, 2);
});

test("a COMMAND that cannot run exits 127", () => {
  assert.is(kahook(["run", "--", "/nonexistent/kahook-test"]).status, 127);
});

test("--help documents every option and variable", () => {
  const help = succeeded(kahook(["--help"]));
  for (const word of [...CONFIGURED_FLAGS.filter((a) => a.startsWith("--")), "--mode", "--defer-accept", "--debug", ...Object.keys(CONFIGURED_ENV), "KAHOOK_MODE", "TCP_DEFER_ACCEPT", "KAHOOK_DEBUG"]) {
    assert.ok(help.includes(word), word);
  }
});

test.run();
