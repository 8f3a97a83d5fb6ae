import { test } from "uvu";
import * as assert from "uvu/assert";
import { assertConfigured, CONFIGURED_ENV } from "../_configured.ts";
import { type Readback, readbacks, type Role } from "../_report.ts";
import { here, runRuntime, succeeded } from "../_run.ts";

const LINUX_DEFAULT_IDLE = 7_200_000;

function pair(args: string[], env: Record<string, string>): Record<Role, Readback> {
  const lines = readbacks(succeeded(runRuntime([...args, here("fixtures/preload/pair")], env)));
  return Object.fromEntries(lines.map((line) => [line.role, line])) as Record<Role, Readback>;
}

test("TCP_MAXSEG=1000 on the client shrinks the MSS the server's accepted socket uses: it was set before the SYN", () => {
  // The server is left alone (KAHOOK_MODE=connect), so only the client's SYN can carry 1000.
  const configured = pair(["--import", "kahook/register"], { KAHOOK_MODE: "connect", TCP_MAXSEG: "1000" });
  const plain = pair([], {});
  assert.ok(configured.accepted.state.maxSegment! <= 1000, `with: ${configured.accepted.state.maxSegment}`);
  assert.ok(plain.accepted.state.maxSegment! > 1000, `without: ${plain.accepted.state.maxSegment}`);
});

test("KAHOOK_MODE=connect configures clients only", () => {
  const { listener, accepted, client } = pair(["--import", "kahook/register"], {
    ...CONFIGURED_ENV,
    KAHOOK_MODE: "connect",
  });
  assertConfigured(client);
  assert.is(listener.state.idle, LINUX_DEFAULT_IDLE);
  assert.is(accepted.state.enable, false);
});

test("KAHOOK_MODE=listen configures servers only, and accepted sockets inherit", () => {
  const { listener, accepted, client } = pair(["--import", "kahook/register"], {
    ...CONFIGURED_ENV,
    KAHOOK_MODE: "listen",
  });
  assertConfigured(listener);
  assertConfigured(accepted);
  assert.is(client.state.idle, LINUX_DEFAULT_IDLE);
  assert.is(client.state.enable, false);
});

test("KAHOOK_MODE=socket, the default, configures both", () => {
  const { listener, accepted, client } = pair(["--import", "kahook/register"], CONFIGURED_ENV);
  for (const readback of [listener, accepted, client]) assertConfigured(readback);
});

test.run();
