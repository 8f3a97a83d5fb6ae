import { test } from "uvu";
import * as assert from "uvu/assert";
import { selfSignedCert } from "./_cert.ts";
import { assertConfigured, CONFIGURED_ENV } from "./_configured.ts";
import { type Readback, readbacks } from "./_report.ts";
import { here, NO_PRELOAD, PRELOADS, runRuntime, succeeded } from "./_run.ts";
import { undiciPackage } from "./_undici.ts";

const cert = selfSignedCert();
const fixture = here("fixtures/paths/paths");

/** The paths each runtime covers: Bun's and Deno's fetch do not go through node:net; each has its own socket API. */
const OWN_PATHS = "Deno" in globalThis
  ? { servers: ["Deno.listen"], clients: ["Deno.connect"] }
  : "Bun" in globalThis
  ? { servers: ["Bun.listen"], clients: ["Bun.connect"] }
  : { servers: [], clients: ["fetch"] };
const SERVERS = ["net.createServer", "new net.Server", "http.createServer", "https.createServer", ...OWN_PATHS.servers];
const CLIENTS = [
  "net.connect",
  "net.createConnection",
  "new net.Socket().connect",
  "named ESM import",
  "IPv6",
  "localAddress",
  "happy eyeballs fallback",
  "setKeepAlive(true, 1000)",
  "http default agent",
  "http keepAlive agent",
  "https",
  "tls.connect",
  "undici",
  ...OWN_PATHS.clients,
];
/** A worker thread's listener and clients (fixtures/paths/_worker.ts). */
const WORKER_READBACKS = ["listener worker http.createServer", "client worker fetch", "client worker net.connect"];
const EXPECTED_READBACKS = [
  ...SERVERS.flatMap((path) => [`listener ${path}`, `accepted ${path}`]),
  ...CLIENTS.map((path) => `client ${path}`),
  ...WORKER_READBACKS,
].sort();

/** Bun's https server reports a connection after the TLS handshake, so its readback comes after data flowed. */
const AFTER_DATA = "Bun" in globalThis ? ["accepted https.createServer"] : [];

/**
 * What the JavaScript hooks alone (KAHOOK_INTERPOSER=0) leave as the runtime makes it: Node runs
 * its preload in every worker thread, Bun's and Deno's --preload runs in the main thread only.
 */
const FALLBACK_LEAVES = "Bun" in globalThis || "Deno" in globalThis ? WORKER_READBACKS : [];

/** Which of kahook's two ways configured the fixture's sockets, as it reports on stderr; "nothing" without the preload. */
type InstalledBy = "interposer" | "hooks" | "nothing";

function runPaths(args: string[], env: Record<string, string>, installedBy: InstalledBy) {
  const result = runRuntime([...args, fixture], { ...cert, ...env });
  const lines = readbacks(succeeded(result));
  assert.match(result.stderr, new RegExp(`^installed by: ${installedBy}$`, "m"));
  // The undici line names its version; the list of paths is checked without it.
  const seen = lines.map(({ role, path }) => `${role} ${path.replace(/^undici .*/, "undici")}`).sort();
  assert.equal(seen, EXPECTED_READBACKS);
  return lines;
}

/** Asserts a readback shows none of CONFIGURED_ENV's values. */
function assertNotConfigured({ path, role, state }: Readback): void {
  assert.is.not(state.idle, 11_000, `${role} of ${path}`);
  // Unset, a listener reports 536 (the default MSS) and a loopback connection about 65483.
  const mss = state.maxSegment!;
  assert.ok(role === "listener" ? mss !== 1000 : mss > 1000, `${role} of ${path}: MSS ${mss}`);
}

test("without the preload, no socket shows the configuration", () => {
  for (const readback of runPaths(NO_PRELOAD, CONFIGURED_ENV, "nothing")) assertNotConfigured(readback);
});

for (const preload of PRELOADS) {
  test(`${preload.name} kahook/register: every client and server path has every option, read back`, () => {
    for (const readback of runPaths(preload.args, CONFIGURED_ENV, "interposer")) {
      assertConfigured(readback, AFTER_DATA.includes(`${readback.role} ${readback.path}`));
    }
  });

  const leaves = FALLBACK_LEAVES.length ? "every path but a worker thread's" : "every path, a worker thread's too";
  test(`${preload.name} kahook/register, KAHOOK_INTERPOSER=0: the JavaScript hooks configure ${leaves}`, () => {
    for (const readback of runPaths(preload.args, { ...CONFIGURED_ENV, KAHOOK_INTERPOSER: "0" }, "hooks")) {
      const name = `${readback.role} ${readback.path}`;
      if (FALLBACK_LEAVES.includes(name)) assertNotConfigured(readback);
      else assertConfigured(readback, AFTER_DATA.includes(name));
    }
  });
}

test("undici from npm is the one that fits this Node", () => {
  const lines = runPaths(PRELOADS[0].args, CONFIGURED_ENV, "interposer");
  const major = undiciPackage() === "undici8" ? "8." : "7.";
  assert.ok(lines.some(({ path }) => path.startsWith(`undici ${major}`)), `undici ${major}x`);
});

test.run();
