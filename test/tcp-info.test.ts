/** struct tcp_info is data transcribed from <linux/tcp.h>: check it against the header and a live socket. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { leaseFd } from "../src/fd/index.ts";
import { loadLibc } from "../src/runtimes/libc.ts";
import { linux } from "../src/sys/linux.ts";
import { decodeTcpInfo, TCP_INFO, TCP_INFO_FIELDS, TCP_STATES } from "../src/sys/tcp-info.ts";
import { tcpPair } from "./_loopback.ts";
import { nativeJson } from "./_native.ts";

const headerOffsets = () => nativeJson("tcp_info");

test("TCP_INFO and the offsets of struct tcp_info equal the C header", () => {
  const header = headerOffsets();
  assert.is(linux.tcpInfo!.name, header.TCP_INFO);
  for (const { member, offset, size } of Object.values(TCP_INFO_FIELDS)) {
    assert.is(offset, header[member], member);
    assert.ok(offset + size <= TCP_INFO.size, `${member} lies inside the ${TCP_INFO.size} bytes read`);
  }
});

test("getsockopt(TCP_INFO) on a live connection: ESTABLISHED, no probes, RTO of at least 200 ms", async () => {
  const pair = await tcpPair();
  const libc = loadLibc();
  const lease = leaseFd(pair.client, libc);
  try {
    const bytes = new Uint8Array(TCP_INFO.size);
    assert.is(libc.getsockoptBytes(lease.fd, linux.tcpInfo!.level, linux.tcpInfo!.name, bytes), TCP_INFO.size);
    const info = decodeTcpInfo(bytes);
    assert.is(TCP_STATES[info.state], "ESTABLISHED");
    assert.is(info.probes, 0);
    // TCP_RTO_MIN is 200 ms; the kernel reports µs.
    assert.ok(info.rto >= 200_000, String(info.rto));
  } finally {
    lease.release();
    pair.close();
  }
});

test("getsockoptBytes returns the errno negated on a bad fd", () => {
  const EBADF = 9;
  assert.is(
    loadLibc().getsockoptBytes(123_456, linux.tcpInfo!.level, linux.tcpInfo!.name, new Uint8Array(TCP_INFO.size)),
    -EBADF,
  );
});

test.run();
