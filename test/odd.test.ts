/**
 * Sockets that are not a plain TCP client or server, each run by a fixture in test/fixtures/odd/
 * with and without the preload: the program's output and exit status must be the same, kahook
 * must report no failure, and where TCP connections are made the debug lines show it configured
 * them.
 * A fixture is listed for the runtimes whose API runs it without kahook.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { CONFIGURED_ENV, DEBUG_ENV } from "./_configured.ts";
import { here, INTERPOSER_ACTIVE, kahookLines, PRELOADS, runRuntime } from "./_run.ts";
import { runtime } from "../src/host/host.ts";

type Runtime = typeof runtime;
type Label = "server" | "client";

interface Scenario {
  fixture: string;
  runtimes: readonly Runtime[];
  /** The sockets kahook's debug lines must show configured: the scenario makes TCP connections. */
  configures: readonly Label[];
}

const EVERY: readonly Runtime[] = ["node", "bun", "deno"];
const BOTH: readonly Label[] = ["server", "client"];

const SCENARIOS: Scenario[] = [
  { fixture: "cluster", runtimes: EVERY, configures: BOTH },
  // The interposer takes the worker thread's connect too; paths.test.ts reads a worker's sockets back.
  { fixture: "worker", runtimes: EVERY, configures: BOTH },
  { fixture: "http2", runtimes: EVERY, configures: BOTH },
  { fixture: "destroyed", runtimes: EVERY, configures: ["server"] },
  { fixture: "refused", runtimes: EVERY, configures: ["server"] },
  { fixture: "lookup", runtimes: EVERY, configures: [] },
  // Bun's net.Socket({ fd }) cannot write to a TCP fd ("Socket is closed"); Deno's reads nothing from it.
  { fixture: "fd", runtimes: ["node"], configures: BOTH },
  { fixture: "dgram", runtimes: EVERY, configures: [] },
  { fixture: "reset", runtimes: EVERY, configures: BOTH },
  { fixture: "halfclose", runtimes: EVERY, configures: BOTH },
];

/** A debug line for a configured socket: "kahook: fd 7 client: SO_KEEPALIVE=1 ...". Anything else is a failure. */
const CONFIGURED_LINE = /^kahook: fd \d+ (server|client): SO_KEEPALIVE=1 /;

for (const { fixture, configures } of SCENARIOS.filter(({ runtimes }) => runtimes.includes(runtime))) {
  for (const preload of PRELOADS) {
    test(`${fixture}: the same output and exit status with ${preload.name} as without`, () => {
      // Every preload's flag and value come last: without them, the same runtime arguments.
      const without = runRuntime([...preload.args.slice(0, -2), here(`fixtures/odd/${fixture}`)], CONFIGURED_ENV);
      assert.is(without.status, 0, `without kahook: ${without.stderr}`);
      assert.ok(without.stdout.startsWith("{"), `without kahook: ${without.stdout}`);
      const withKahook = runRuntime([...preload.args, here(`fixtures/odd/${fixture}`)], DEBUG_ENV);
      assert.is(withKahook.stdout, without.stdout, withKahook.stderr);
      assert.is(withKahook.status, without.status);
      // One install line per process that ran the preload, then one line per configured socket.
      const lines = kahookLines(withKahook.stderr).filter((line) => !INTERPOSER_ACTIVE.test(line));
      assert.equal(lines.filter((line) => !CONFIGURED_LINE.test(line)), [], "kahook reported a failure");
      const labels = new Set(lines.map((line) => line.match(CONFIGURED_LINE)![1]));
      for (const label of configures) {
        assert.ok(labels.has(label), `no ${label} socket configured:\n${withKahook.stderr}`);
      }
    });
  }
}

test.run();
