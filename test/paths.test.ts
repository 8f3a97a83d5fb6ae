import { test } from "uvu";
import * as assert from "uvu/assert";
import { selfSignedCert } from "./_cert.ts";
import { assertConfigured, CONFIGURED_ENV } from "./_configured.ts";
import { readbacks } from "./_report.ts";
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
const EXPECTED_READBACKS = [
  ...SERVERS.flatMap((path) => [`listener ${path}`, `accepted ${path}`]),
  ...CLIENTS.map((path) => `client ${path}`),
].sort();

/** Bun's https server reports a connection after the TLS handshake, so its readback comes after data flowed. */
const AFTER_DATA = "Bun" in globalThis ? ["accepted https.createServer"] : [];

function runPaths(args: string[], env: Record<string, string> = {}) {
  const lines = readbacks(succeeded(runRuntime([...args, fixture], { ...cert, ...env })));
  // The undici line names its version; the list of paths is checked without it.
  const seen = lines.map(({ role, path }) => `${role} ${path.replace(/^undici .*/, "undici")}`).sort();
  assert.equal(seen, EXPECTED_READBACKS);
  return lines;
}

test("without the preload, no socket shows the configuration", () => {
  for (const { path, role, state } of runPaths(NO_PRELOAD, CONFIGURED_ENV)) {
    assert.is.not(state.idle, 11_000, `${role} of ${path}`);
    // Unset, a listener reports 536 (the default MSS) and a loopback connection about 65483.
    const mss = state.maxSegment!;
    assert.ok(role === "listener" ? mss !== 1000 : mss > 1000, `${role} of ${path}: MSS ${mss}`);
  }
});

for (const preload of PRELOADS) {
  test(`${preload.name} kahook/register: every client and server path has every option, read back`, () => {
    for (const readback of runPaths(preload.args, CONFIGURED_ENV)) {
      assertConfigured(readback, AFTER_DATA.includes(`${readback.role} ${readback.path}`));
    }
  });
}

test("undici from npm is the one that fits this Node", () => {
  const lines = runPaths(PRELOADS[0].args, CONFIGURED_ENV);
  const major = undiciPackage() === "undici8" ? "8." : "7.";
  assert.ok(lines.some(({ path }) => path.startsWith(`undici ${major}`)), `undici ${major}x`);
});

test.run();
