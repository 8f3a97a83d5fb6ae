import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadLibc } from "../src/runtimes/libc.ts";
import { currentPlatform } from "../src/sys/index.ts";

const EAFNOSUPPORT = 97;
const NO_SUCH_FAMILY = 12345;

test("socket() returns a new fd for each IP version, which close() releases", () => {
  const libc = loadLibc();
  const { family, type } = currentPlatform().tcpSocket;
  for (const version of [4, 6] as const) {
    const fd = libc.socket(family[version], type, 0);
    assert.ok(fd >= 0, `IPv${version}: ${fd}`);
    assert.is(libc.close(fd), 0);
  }
});

test("socket() returns the errno negated on failure", () => {
  assert.is(loadLibc().socket(NO_SUCH_FAMILY, currentPlatform().tcpSocket.type, 0), -EAFNOSUPPORT);
});

test.run();
