/**
 * 10,000 concurrent loopback connections under the preload, client and server in processes of
 * their own, three rounds: every sampled socket reads back configured from inside its process;
 * after the first round (which lets the runtime open what it keeps: Deno adds two sockets of its
 * own, kahook or not) the socket fds of both return to that count after each round; and between
 * the end of round 1 and of round 3 (20,000 connections), after a full garbage collection, the
 * JavaScript heap grows less than HEAP_GROWTH_MIB and RSS less than RSS_GROWTH_MIB. Each step logs
 * what it measured.
 */
import { execFileSync } from "../src/host/spawn.ts";
import { readFileSync } from "node:fs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { assertConfigured, CONFIGURED_ENV } from "./_configured.ts";
import { type Child, startChild } from "./_fixture.ts";
import { CONNECTIONS, GC_FLAGS, type Usage } from "./_load.ts";
import type { Readback } from "./_report.ts";
import { PRELOADS } from "./_run.ts";
import { runtime } from "../src/host/host.ts";

/** Per child: 10,000 sockets and the runtime's own fds. Needs a hard limit at least this high (or root). */
const NOFILE = 16_384;
/**
 * Flat, over the 20,000 connections of rounds 2 and 3, MiB. The heap: < 52 bytes retained per
 * connection (measured: < 0.1 MiB in every runtime). RSS: < 5 KiB per connection, which a native
 * leak of a buffer per socket would pass; measured up to 48 MiB (Node 24's client), and Node
 * without kahook moves as much between rounds, as V8 and malloc keep memory they freed.
 */
const HEAP_GROWTH_MIB = 1;
const RSS_GROWTH_MIB = 100;
const ROUNDS = 3;

/** The last preload: Deno's -A, since Deno lets only -A read /proc/self/fd. */
const preload = PRELOADS.at(-1)!;

function raiseFdLimit(pid: number): void {
  execFileSync("prlimit", ["--pid", String(pid), `--nofile=${NOFILE}:${NOFILE}`]);
}

interface Step extends Usage {
  open: number;
  seconds?: number;
  samples: Readback[];
}

const fmt = (usage: Usage) =>
  `${usage.fds} fds (${usage.sockets} sockets), RSS ${usage.rssMiB.toFixed(1)} MiB, heap ${
    usage.heapMiB.toFixed(2)
  } MiB`;

test(`${preload.name}: ${CONNECTIONS} connections ${ROUNDS} times: configured, socket fds back to their count, memory flat`, async () => {
  const [low, high] = readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/).map(Number);
  assert.ok(high - low + 1 > CONNECTIONS, `only ${high - low + 1} ephemeral ports for ${CONNECTIONS} connections`);
  const args = [...preload.args, ...GC_FLAGS[runtime]];
  const server = startChild("fixtures/load/server", args, CONFIGURED_ENV);
  const client = startChild("fixtures/load/client", args, CONFIGURED_ENV);
  const children: Child[] = [server, client];
  try {
    for (const child of children) raiseFdLimit(child.pid);
    const { port, ...serverStart }: Usage & { port: number } = await server.next();
    const clientStart: Usage = await client.next();
    console.log(`${runtime} start: server ${fmt(serverStart)}; client ${fmt(clientStart)}`);
    const afterRound: { server: Usage; client: Usage }[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const opened: Step = await client.ask(`open ${port}`);
      const accepted: Step = await server.ask(`accepted ${CONNECTIONS}`);
      console.log(
        `${runtime} round ${round}: ${opened.open} open in ${opened.seconds!.toFixed(1)} s; server ${
          fmt(accepted)
        }; client ${fmt(opened)}`,
      );
      assert.is(opened.open, CONNECTIONS);
      assert.is(accepted.open, CONNECTIONS);
      for (const readback of [...opened.samples, ...accepted.samples]) assertConfigured(readback);
      assert.is(opened.samples.length + accepted.samples.length, 200);
      // Each connection is a socket fd while open: the count sees them, so its return after close means something.
      assert.ok(
        opened.sockets >= CONNECTIONS && accepted.sockets >= CONNECTIONS,
        "each open connection is a socket fd",
      );
      const closed = { server: (await server.ask("close")) as Usage, client: (await client.ask("closed")) as Usage };
      console.log(`${runtime} round ${round} closed: server ${fmt(closed.server)}; client ${fmt(closed.client)}`);
      afterRound.push(closed);
      for (const side of ["server", "client"] as const) {
        assert.is(closed[side].sockets, afterRound[0][side].sockets, `${side}: socket fds after round ${round} closed`);
      }
    }
    for (const side of ["server", "client"] as const) {
      const [first, last] = [afterRound[0][side], afterRound[ROUNDS - 1][side]];
      const [heap, rss] = [last.heapMiB - first.heapMiB, last.rssMiB - first.rssMiB];
      console.log(
        `${runtime} ${side}: from round 1 to round ${ROUNDS}, heap ${heap.toFixed(2)} MiB, RSS ${rss.toFixed(1)} MiB`,
      );
      assert.ok(heap < HEAP_GROWTH_MIB, `${side}: heap grew ${heap.toFixed(2)} MiB (flat: < ${HEAP_GROWTH_MIB})`);
      assert.ok(rss < RSS_GROWTH_MIB, `${side}: RSS grew ${rss.toFixed(1)} MiB (flat: < ${RSS_GROWTH_MIB})`);
    }
  } finally {
    await Promise.all(children.map((child) => child.stop()));
  }
});

test.run();
