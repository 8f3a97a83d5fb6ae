/** Importing kahook loads no FFI; koffi loads on Node only, when the first option is set. */
import { createRequire } from "node:module";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { getKeepAlive, setKeepAlive } from "../mod.ts";
import { runtime } from "../src/host/host.ts";
import { tcpPair } from "./_loopback.ts";

const require = createRequire(import.meta.url);
const koffiLoaded = () => Object.keys(require.cache ?? {}).some((path) => path.includes("/node_modules/koffi/"));

test("importing kahook does not load koffi", () => {
  assert.is(koffiLoaded(), false);
});

test("options that set nothing load nothing", async () => {
  const pair = await tcpPair();
  try {
    setKeepAlive(pair.client, {});
    assert.is(koffiLoaded(), false);
  } finally {
    pair.close();
  }
});

test(`the first option set loads koffi on Node only (this is ${runtime})`, async () => {
  const pair = await tcpPair();
  try {
    setKeepAlive(pair.client, { idle: 9_000 });
    assert.is(getKeepAlive(pair.client).idle, 9_000);
    assert.is(koffiLoaded(), runtime === "node");
  } finally {
    pair.close();
  }
});

test.run();
