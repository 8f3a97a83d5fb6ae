/**
 * kahook/otel with the real OpenTelemetry SDK and its Prometheus exporter, in a program run with
 * the preload (test/fixtures/otel/metrics.ts), scraped over HTTP as Prometheus scrapes it. The
 * program connects CLIENTS clients to one loopback server and one more, matched by a rule, to
 * another, and resets each client's keepalive itself; then the rule's server goes silent (its
 * socket drops every packet, src/deadpeer/filter.ts). /metrics then counts the configured sockets
 * by direction and rule, the program's resets as kept, and one dead peer, by keepalive, on the
 * rule's set; without KAHOOK_METRICS=1, no dead peer at all.
 */
import net from "node:net";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { within } from "../src/deadpeer/closure.ts";
import { listenLoopback, LOOPBACK, nextConnection } from "../src/deadpeer/connection.ts";
import { dropAllTraffic } from "../src/deadpeer/filter.ts";
import { GIVE_UP_MS, KEEPALIVE_ENV, start } from "./_deadpeer.ts";
import { startChild } from "./_fixture.ts";
import { PRELOADS } from "./_run.ts";

/** Client connections to the server that stays. */
const CLIENTS = 3;
/** Scrapes until the dead peer shows, at most this many, SCRAPE_INTERVAL_MS apart: the close may trail the error event. */
const SCRAPES = 20;
const SCRAPE_INTERVAL_MS = 100;

/** One line of the Prometheus text format: `name{label="value",...} value`. */
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function parseSamples(text: string): Sample[] {
  return text.split("\n").filter((line) => line !== "" && !line.startsWith("#")).map((line) => {
    const [, name, labels = "", value] = line.match(/^(\w+)(?:\{(.*)\})? (\S+)$/) ?? [];
    assert.ok(name, `not a sample: ${line}`);
    return {
      name,
      labels: Object.fromEntries([...labels.matchAll(/(\w+)="([^"]*)"/g)].map(([, key, text]) => [key, text])),
      value: Number(value),
    };
  });
}

interface Scraped {
  /** The fixture's line for the silent rule's client, or undefined if it was still open after GIVE_UP_MS. */
  closed?: { event: string; client: number; code?: string };
  /** /metrics as last scraped. */
  text: string;
  samples: Sample[];
}

/** Scrapes /metrics until `done` holds of it, SCRAPES times at most. */
async function scrape(port: number, done: (samples: Sample[]) => boolean): Promise<Omit<Scraped, "closed">> {
  for (let attempt = 1;; attempt++) {
    const text = await (await fetch(`http://${LOOPBACK}:${port}/metrics`)).text();
    const samples = parseSamples(text);
    if (done(samples) || attempt === SCRAPES) return { text, samples };
    await new Promise((resolve) => setTimeout(resolve, SCRAPE_INTERVAL_MS));
  }
}

const dead = (samples: Sample[]) => samples.filter(({ name }) => name === "kahook_peers_dead_total");

/** Runs the fixture with the runtime arguments and variables given, silences the rule's server, and scrapes. */
async function scenario(args: readonly string[], env: Record<string, string>): Promise<Scraped> {
  const staying = net.createServer();
  const silent = net.createServer();
  const accepted: net.Socket[] = [];
  for (const server of [staying, silent]) {
    server.on("connection", (socket) => accepted.push(socket.on("error", () => {})));
  }
  const silenced = nextConnection(silent);
  const [stayingPort, silentPort] = await Promise.all([listenLoopback(staying), listenLoopback(silent)]);
  const child = startChild("fixtures/otel/metrics", args, {
    ...env,
    KAHOOK_RULES: `port=${silentPort}:`,
    FIXTURE_PORTS: [...Array(CLIENTS).fill(stayingPort), silentPort].join(","),
  });
  try {
    const { metricsPort } = await child.next();
    dropAllTraffic(await silenced);
    const closed = await within(child.next(), GIVE_UP_MS);
    return { closed, ...await scrape(metricsPort, (samples) => dead(samples).some(({ value }) => value > 0)) };
  } finally {
    await child.stop();
    for (const socket of accepted) socket.destroy();
    staying.close();
    silent.close();
  }
}

/** The samples of one metric whose labels include those given. */
function matching(samples: Sample[], name: string, labels: Record<string, string | undefined>): Sample[] {
  return samples.filter((sample) =>
    sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value)
  );
}

const total = (samples: Sample[]) => samples.reduce((sum, { value }) => sum + value, 0);

const METRICS_ENV = { ...KEEPALIVE_ENV, KAHOOK_METRICS: "1" };
const scenarios = PRELOADS.map((preload) => ({
  name: preload.name,
  scraped: start(() => scenario(preload.args, METRICS_ENV)),
}));
const control = start(() => scenario(PRELOADS[0].args, KEEPALIVE_ENV));

for (const { name, scraped } of scenarios) {
  test(`${name}: kahook.sockets.configured counts the ${CLIENTS} clients, the rule's client under kahook.rule, and the listener`, async () => {
    const { samples, text } = await scraped;
    const configured = "kahook_sockets_configured_total";
    const clients = matching(samples, configured, { kahook_direction: "client", kahook_rule: undefined });
    assert.ok(total(clients) >= CLIENTS, text);
    assert.is(total(matching(samples, configured, { kahook_direction: "client", kahook_rule: "1" })), 1, text);
    assert.ok(total(matching(samples, configured, { kahook_direction: "listener" })) >= 1, text);
    const kahook = samples.filter((sample) => sample.name.startsWith("kahook_"));
    assert.ok(kahook.every(({ labels }) => labels.otel_scope_name === "kahook"), text);
  });

  test(`${name}: the program's setKeepAlive(true, 60000) on each client is counted in kahook.values.kept`, async () => {
    const { samples, text } = await scraped;
    const idle = matching(samples, "kahook_values_kept_total", { kahook_option: "TCP_KEEPIDLE" });
    assert.ok(total(idle) >= CLIENTS + 1, text);
  });

  test(`${name}: the silent peer: ETIMEDOUT within the keepalive bound, one kahook.peers.dead by keepalive on the rule's set`, async () => {
    const { closed, samples, text } = await scraped;
    const counts = text.split("\n").filter((line) => /^kahook_.* [1-9]\d*$/.test(line));
    console.log(`${name}:\n${counts.join("\n")}`);
    assert.equal(closed, { event: "closed", client: CLIENTS, code: "ETIMEDOUT" });
    const counted = dead(samples).filter(({ value }) => value > 0);
    assert.equal(counted.map(({ labels, value }) => ({ ...labels, value })), [{
      kahook_direction: "client",
      kahook_rule: "1",
      kahook_cause: "keepalive",
      otel_scope_name: "kahook",
      otel_scope_version: counted[0]?.labels.otel_scope_version,
      value: 1,
    }], text);
  });
}

test("the metrics are counters, with their units", async () => {
  const { text } = await scenarios[0].scraped;
  for (
    const [name, unit] of [["sockets_configured", "{socket}"], ["values_kept", "{call}"], [
      "peers_dead",
      "{connection}",
    ]]
  ) {
    assert.match(text, `# TYPE kahook_${name}_total counter\n`);
    assert.match(text, `# UNIT kahook_${name}_total ${unit}\n`);
  }
});

test("control: without KAHOOK_METRICS=1 the silent peer ends the same, and no kahook.peers.dead is reported", async () => {
  const { closed, samples, text } = await control;
  assert.equal(closed, { event: "closed", client: CLIENTS, code: "ETIMEDOUT" });
  assert.ok(
    total(matching(samples, "kahook_sockets_configured_total", { kahook_direction: "client" })) >= CLIENTS + 1,
    text,
  );
  assert.equal(dead(samples), [], text);
});

test.run();
