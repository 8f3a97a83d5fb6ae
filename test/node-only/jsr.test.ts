/**
 * The package as JSR would publish and serve it: `deno publish --dry-run` passes and lists the
 * files of deno.json's include list and no others; those files, served over HTTP from a loopback
 * port as JSR serves a package over HTTPS, preload into Deno as `--preload
 * jsr:@kahook/kahook/register` would. Served so, the native library is not on disk: the
 * JavaScript hooks configure the sockets, and a debug line says why.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawn, spawnSync } from "../../src/host/spawn.ts";
import { root } from "../_repo.ts";
import { cleanEnv } from "../_run.ts";
import { RUNTIME_BINARIES } from "../_runtimes.ts";

const dir = mkdtempSync(join(tmpdir(), "kahook-jsr-"));
const served = join(dir, "served");
let server: Server | undefined;
let published: string[] = [];

test.after(() => {
  server?.close();
  rmSync(dir, { recursive: true, force: true });
});

test("deno publish --dry-run passes, with deno.json's include list and nothing else", () => {
  const result = spawnSync(RUNTIME_BINARIES.deno, ["publish", "--dry-run", "--allow-dirty"], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
    timeout: 300_000,
  });
  assert.is(result.status, 0, result.stderr);
  const output = result.stdout + result.stderr;
  assert.not.match(output, /^warning/m);
  published = [...output.matchAll(/^\s+(file:\/\/\S+)/gm)].map(([, url]) => relative(root, fileURLToPath(url)));
  const { include } = JSON.parse(readFileSync(join(root, "deno.json"), "utf8")).publish as { include: string[] };
  const listed = (path: string) => include.includes(path) || (path.startsWith("src/") && path.endsWith(".ts"));
  assert.ok(published.includes("src/register.ts") && published.includes("LICENSE"), published.join(" "));
  assert.equal(published.filter((path) => !listed(path)), []);
});

/** Serves the published files from 127.0.0.1, as text, with 404 for anything else. */
function serve(files: readonly string[]): Promise<string> {
  for (const path of files) {
    mkdirSync(dirname(join(served, path)), { recursive: true });
    copyFileSync(join(root, path), join(served, path));
  }
  server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url!, "http://127.0.0.1").pathname).slice(1);
    if (!files.includes(path)) return void response.writeHead(404).end();
    response.writeHead(200, { "content-type": "application/typescript" }).end(readFileSync(join(served, path)));
  });
  return new Promise((resolve) =>
    server!.listen(0, "127.0.0.1", () => resolve(`127.0.0.1:${(server!.address() as AddressInfo).port}`))
  );
}

/** Runs Deno to its end without blocking this process, which serves the modules it imports. */
function runDeno(
  args: string[],
  env: Record<string, string>,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(RUNTIME_BINARIES.deno, args, { cwd: dir, env: { ...cleanEnv(), NO_COLOR: "1", ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (chunk) => (stdout += chunk));
    child.stderr!.on("data", (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

test("the served package preloads into Deno: the JavaScript hooks configure node:net, and say why the interposer is not active", async () => {
  assert.ok(published.length > 0, "the dry run listed the files");
  const host = await serve(published);
  writeFileSync(
    join(dir, "app.ts"),
    `import net from "node:net";
import { getKeepAlive } from "http://${host}/mod.ts";
const server = net.createServer((socket) => socket.end());
server.listen(0, "127.0.0.1", () => {
  const client = net.connect((server.address() as net.AddressInfo).port, "127.0.0.1", () => {
    console.log(JSON.stringify(getKeepAlive(client)));
    client.destroy();
    server.close();
  });
});
`,
  );
  const flags = ["--allow-ffi", "--allow-env", "--allow-net=127.0.0.1", `--allow-import=${host}`];
  const result = await runDeno(["run", ...flags, "--preload", `http://${host}/src/register.ts`, "app.ts"], {
    DENO_DIR: join(dir, "deno-dir"),
    TCP_KEEPIDLE: "21",
    KAHOOK_DEBUG: "1",
  });
  assert.is(result.status, 0, result.stderr);
  const options = JSON.parse(result.stdout.trim().split("\n").pop()!);
  assert.is(options.enable, true, result.stdout);
  assert.is(options.idle, 21_000, result.stdout);
  assert.match(
    result.stderr,
    `interposer not active: the native library is not on disk: this copy of kahook was loaded from http://${host}`,
  );
  assert.match(result.stderr, /kahook: fd \d+ client: SO_KEEPALIVE=1 TCP_KEEPIDLE=21 /);
});

test.run();
