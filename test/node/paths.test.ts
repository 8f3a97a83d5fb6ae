import { test } from "uvu";
import * as assert from "uvu/assert";
import { selfSignedCert } from "./_cert.ts";
import { assertConfigured, CONFIGURED_ENV } from "./_configured.ts";
import { readbacks } from "./_report.ts";
import { here, PRELOAD_FLAGS, runNode, succeeded } from "./_run.ts";
import { undiciPackage } from "./_undici.ts";

const cert = selfSignedCert();
const fixture = here("_paths.js");

const SERVERS = ["net.createServer", "new net.Server", "http.createServer", "https.createServer"];
const CLIENTS = [
  "net.connect", "net.createConnection", "new net.Socket().connect", "named ESM import", "IPv6",
  "localAddress", "happy eyeballs fallback", "setKeepAlive(true, 1000)", "http default agent",
  "http keepAlive agent", "https", "tls.connect", "fetch", "undici",
];
const EXPECTED_READBACKS = [
  ...SERVERS.flatMap((path) => [`listener ${path}`, `accepted ${path}`]),
  ...CLIENTS.map((path) => `client ${path}`),
].sort();

function runPaths(args: string[], env: Record<string, string> = {}) {
  const lines = readbacks(succeeded(runNode([...args, fixture], { ...cert, ...env })));
  // The undici line names its version; the list of paths is checked without it.
  const seen = lines.map(({ role, path }) => `${role} ${path.replace(/^undici .*/, "undici")}`).sort();
  assert.equal(seen, EXPECTED_READBACKS);
  return lines;
}

test("without the preload, no socket shows the configuration", () => {
  for (const { path, role, state } of runPaths([], CONFIGURED_ENV)) {
    assert.is.not(state.idle, 11_000, `${role} of ${path}`);
    // Unset, a listener reports 536 (the default MSS) and a loopback connection about 65483.
    const mss = state.maxSegment!;
    assert.ok(role === "listener" ? mss !== 1000 : mss > 1000, `${role} of ${path}: MSS ${mss}`);
  }
});

for (const flag of PRELOAD_FLAGS) {
  test(`${flag} kahook/register: every client and server path has every option, read back`, () => {
    for (const readback of runPaths([flag, "kahook/register"], CONFIGURED_ENV)) assertConfigured(readback);
  });
}

test("undici from npm is the one that fits this Node", () => {
  const lines = runPaths(["--import", "kahook/register"], CONFIGURED_ENV);
  const major = undiciPackage() === "undici8" ? "8." : "7.";
  assert.ok(lines.some(({ path }) => path.startsWith(`undici ${major}`)), `undici ${major}x`);
});

test.run();
