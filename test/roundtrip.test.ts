/**
 * For each option and each kind of target: read the initial value, check that it differs
 * from the target value, set it with setKeepAlive, and read it back both with a raw
 * getsockopt (kernel units) and with getKeepAlive (the API's units).
 */
import net from "node:net";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { getKeepAlive, type KeepAliveOptions, setKeepAlive, type Target } from "../mod.ts";
import { loadLibc } from "../src/runtimes/libc.ts";
import { leaseFd } from "../src/fd/index.ts";
import { currentPlatform } from "../src/sys/index.ts";
import type { OptionName } from "../src/sys/platform.ts";
import { listen, selfSignedCertificate, tcpPair, tlsPair } from "./_loopback.ts";

/** Values that differ from Linux's defaults; `kernel` is what getsockopt must then return. */
const TARGETS: Record<OptionName, { value: number | boolean; kernel: number }> = {
  enable: { value: true, kernel: 1 },
  idle: { value: 42_000, kernel: 42 },
  interval: { value: 13_000, kernel: 13 },
  count: { value: 4, kernel: 4 },
  userTimeout: { value: 12_345, kernel: 12_345 },
  synCount: { value: 3, kernel: 3 },
  // 7 s is on the kernel's SYN-ACK retransmission schedule (1, 3, 7, 15, ... s), so it reads back as set.
  deferAccept: { value: 7_000, kernel: 7 },
  maxSegment: { value: 1_000, kernel: 1_000 },
  windowClamp: { value: 40_000, kernel: 40_000 },
};

const platform = currentPlatform();
const libc = loadLibc();

function rawGet(target: Target, option: OptionName): number {
  const spec = platform.options[option]!;
  const lease = leaseFd(target, libc);
  try {
    const out = new Int32Array(1);
    assert.is(libc.getsockopt(lease.fd, spec.level, spec.name, out), 0, `getsockopt ${spec.constant}`);
    return out[0];
  } finally {
    lease.release();
  }
}

function roundTrip(target: Target, option: OptionName): void {
  const { value, kernel } = TARGETS[option];
  const before = getKeepAlive(target)[option];
  assert.is.not(before, value, `${option} already holds ${value}: the test would prove nothing`);
  assert.is.not(rawGet(target, option), kernel);
  setKeepAlive(target, { [option]: value } as KeepAliveOptions);
  assert.is(rawGet(target, option), kernel, `getsockopt ${option}`);
  assert.is(getKeepAlive(target)[option], value, `getKeepAlive ${option}`);
}

// TCP_MAXSEG acts only before connect and TCP_DEFER_ACCEPT only on listeners: servers test those.
const CONNECTED: OptionName[] = ["enable", "idle", "interval", "count", "userTimeout", "synCount", "windowClamp"];
const LISTENING: OptionName[] = [...CONNECTED, "deferAccept", "maxSegment"];

for (const option of CONNECTED) {
  test(`net.Socket: ${option} round-trips`, async () => {
    const pair = await tcpPair();
    try {
      roundTrip(pair.client, option);
    } finally {
      pair.close();
    }
  });
}

const credentials = selfSignedCertificate();
for (const option of CONNECTED) {
  test(`tls.TLSSocket: ${option} round-trips`, async () => {
    const pair = await tlsPair(credentials);
    try {
      roundTrip(pair.client, option);
    } finally {
      pair.close();
    }
  });
}

for (const option of LISTENING) {
  test(`net.Server: ${option} round-trips`, async () => {
    const server = await listen(net.createServer());
    try {
      roundTrip(server, option);
    } finally {
      server.close();
    }
  });
}

for (const option of LISTENING) {
  test(`raw fd of a listening socket: ${option} round-trips`, async () => {
    const server = await listen(net.createServer());
    // In Deno the lease is a dup; the dup is a file descriptor like any other.
    const lease = leaseFd(server, libc);
    try {
      roundTrip(lease.fd, option);
    } finally {
      lease.release();
      server.close();
    }
  });
}

test("all nine options at once, read back together", async () => {
  const server = await listen(net.createServer());
  try {
    const all = Object.fromEntries(LISTENING.map((o) => [o, TARGETS[o].value])) as KeepAliveOptions;
    setKeepAlive(server, all);
    assert.equal(getKeepAlive(server), all);
  } finally {
    server.close();
  }
});

test("an absent field leaves that option alone", async () => {
  const pair = await tcpPair();
  try {
    setKeepAlive(pair.client, { idle: 42_000, count: 4 });
    const before = getKeepAlive(pair.client);
    setKeepAlive(pair.client, { interval: 13_000 });
    assert.equal(getKeepAlive(pair.client), { ...before, interval: 13_000 });
  } finally {
    pair.close();
  }
});

test("kernel rounding: ms round up to seconds; TCP_DEFER_ACCEPT rounds up to its retransmission schedule", async () => {
  const server = await listen(net.createServer());
  try {
    setKeepAlive(server, { idle: 1_500, deferAccept: 5_000 });
    assert.is(rawGet(server, "idle"), 2);
    assert.is(getKeepAlive(server).idle, 2_000);
    assert.is(rawGet(server, "deferAccept"), 7);
    assert.is(getKeepAlive(server).deferAccept, 7_000);
  } finally {
    server.close();
  }
});

test.run();
