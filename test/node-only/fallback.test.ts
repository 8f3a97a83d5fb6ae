// The interposer as a user's install ships it, and the fallback to the JavaScript hooks when it
// cannot load or install: the program runs on, configured, after one KAHOOK_DEBUG line saying why.
import { existsSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { execFileSync, spawnSync } from "../../src/host/spawn.ts";
import { packedProject } from "../_packed.ts";
import { root } from "../_repo.ts";
import { cleanEnv } from "../_run.ts";

const PROGRAM = `import net from "node:net";
import { getKeepAlive } from "kahook";

const server = net.createServer((socket) => socket.end());
server.listen(0, "127.0.0.1", () => {
  const client = net.connect(server.address().port, "127.0.0.1", () => {
    const { idle, interval, count } = getKeepAlive(client);
    console.log(JSON.stringify({ idle, interval, count }));
    client.destroy();
    server.close();
  });
});
`;
const ENV = { TCP_KEEPIDLE: "11", TCP_KEEPINTVL: "7", TCP_KEEPCNT: "3", KAHOOK_DEBUG: "1" };
const CONFIGURED = { idle: 11_000, interval: 7_000, count: 3 };
const NOT_ACTIVE =
  /^kahook: interposer not active: (.*); the JavaScript hooks configure node:net sockets; not covered: a C library through bun:ffi, Deno\.dlopen or koffi, or a Node addon$/m;

let project: ReturnType<typeof packedProject> | undefined;
const library = (arch: string) => join(project!.dir, `node_modules/kahook/native/build/linux-${arch}/kahook.node`);

test.before(() => {
  project = packedProject({});
  writeFileSync(join(project.dir, "program.js"), PROGRAM);
});
test.after(() => project?.remove());

function runProgram(env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, ["--import", "kahook/register", "program.js"], {
    cwd: project!.dir,
    env: { ...cleanEnv(), ...ENV, ...env },
    encoding: "utf8",
    timeout: 30_000,
  });
  assert.is(result.status, 0, result.stderr);
  return { options: JSON.parse(result.stdout), stderr: result.stderr };
}

test("the tarball carries the interposer for Linux x86_64 and arm64; installed, it configures the program's sockets", () => {
  for (const arch of ["x64", "arm64"]) assert.ok(existsSync(library(arch)), library(arch));
  const { options, stderr } = runProgram();
  assert.equal(options, CONFIGURED);
  assert.not.match(stderr, NOT_ACTIVE);
  assert.match(stderr, /^kahook: fd \d+ client: SO_KEEPALIVE=1 TCP_KEEPIDLE=11 /m);
});

test("another LD_PRELOAD library holding the connect slots: the JavaScript hooks configure the sockets, one line says why", () => {
  const preload = join(project!.dir, "..", "keepalive_preload.so");
  execFileSync("cc", ["-O2", "-shared", "-fPIC", "-o", preload, join(root, "native/keepalive_preload.c"), "-ldl"]);
  const { options, stderr } = runProgram({ LD_PRELOAD: preload });
  assert.equal(options, CONFIGURED);
  assert.match(stderr.match(NOT_ACTIVE)?.[1] ?? stderr, /another interposer holds the slots/);
});

test("the library missing from the install: the JavaScript hooks configure the sockets, one line names the file", () => {
  rmSync(library("x64"));
  const { options, stderr } = runProgram();
  assert.equal(options, CONFIGURED);
  assert.match(stderr.match(NOT_ACTIVE)?.[1] ?? stderr, /kahook\.node/);
});

test("kahook check in that install: the interposer is not active, the reason names the file; --require-interposer exits 4", () => {
  assert.not.ok(existsSync(library("x64")), "the previous test removed the library");
  const check = (args: string[]) =>
    spawnSync(process.execPath, [join(project!.dir, "node_modules/.bin/kahook"), "check", ...args], {
      cwd: project!.dir,
      env: cleanEnv(),
      encoding: "utf8",
      timeout: 30_000,
    });
  const plain = check([]);
  assert.is(plain.status, 0, plain.stderr);
  assert.match(
    plain.stdout,
    new RegExp(`^Native interposer: not active: .*${library("x64")}: cannot open shared object file`, "m"),
  );
  assert.match(plain.stdout, /^Set by the JavaScript hooks on a loopback listener;/m);
  // The number docs/cli.md documents.
  assert.is(check(["--require-interposer"]).status, 4);
});

test.run();
