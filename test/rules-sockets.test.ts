import net from "node:net";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { type Readback, readbacks } from "./_report.ts";
import { here, PRELOADS, runRuntime, succeeded } from "./_run.ts";

/** Listens on host, port 0; the kernel completes connections to it while the child runs and nothing accepts. */
function listening(host: string): Promise<net.Server> {
  const server = net.createServer();
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, host, () => resolve(server));
  });
}

const port = (server: net.Server) => (server.address() as net.AddressInfo).port;
const keepAlive = ({ state: { enable, idle, interval, count, userTimeout } }: Readback) => ({
  enable,
  idle,
  interval,
  count,
  userTimeout,
});

const servers = {
  plain: await listening("127.0.0.1"),
  byAddress: await listening("127.0.0.2"),
  byPort: await listening("127.0.0.1"),
  byIPv6: await listening("::1"),
};
const destinations = {
  plain: `127.0.0.1:${port(servers.plain)}`,
  byAddress: `127.0.0.2:${port(servers.byAddress)}`,
  byPort: `127.0.0.1:${port(servers.byPort)}`,
  byIPv6: `[::1]:${port(servers.byIPv6)}`,
};
// Base: idle 11 s, interval 7 s, 3 probes; TCP_USER_TIMEOUT is derived per rule from its values.
const ENV = {
  TCP_KEEPIDLE: "11",
  TCP_KEEPINTVL: "7",
  TCP_KEEPCNT: "3",
  KAHOOK_RULES: [
    "addr=127.0.0.2:TCP_KEEPIDLE=22,TCP_KEEPCNT=4",
    `port=${port(servers.byPort)}:TCP_KEEPINTVL=9,TCP_USER_TIMEOUT=4321`,
    "addr=::1/128:TCP_KEEPCNT=5",
  ].join(";"),
};
const EXPECTED = {
  plain: { enable: true, idle: 11_000, interval: 7_000, count: 3, userTimeout: (11 + 7 * 3) * 1000 },
  byAddress: { enable: true, idle: 22_000, interval: 7_000, count: 4, userTimeout: (22 + 7 * 4) * 1000 },
  byPort: { enable: true, idle: 11_000, interval: 9_000, count: 3, userTimeout: 4_321 },
  byIPv6: { enable: true, idle: 11_000, interval: 7_000, count: 5, userTimeout: (11 + 7 * 5) * 1000 },
};
const OWN_CONNECT = "Bun" in globalThis ? ["Bun.connect"] : "Deno" in globalThis ? ["Deno.connect"] : [];

for (const preload of PRELOADS) {
  test(`${preload.name}: each destination gets its rule's options, read back with getsockopt, and keeps them after setKeepAlive`, () => {
    const lines = readbacks(
      succeeded(
        runRuntime([...preload.args, here("fixtures/rules/destinations"), ...Object.values(destinations)], ENV),
      ),
    );
    const paths = (destination: string) => [
      `net.connect ${destination}`,
      `net.connect ${destination} after setKeepAlive(true, 60000)`,
      ...OWN_CONNECT.map((own) => `${own} ${destination}`),
    ];
    assert.equal(lines.map(({ path }) => path), Object.values(destinations).flatMap(paths));
    for (const [name, destination] of Object.entries(destinations)) {
      const expected = EXPECTED[name as keyof typeof EXPECTED];
      for (const path of paths(destination)) {
        assert.equal(keepAlive(lines.find((line) => line.path === path)!), expected, path);
      }
    }
  });
}

test.after(() => Object.values(servers).forEach((server) => server.close()));

test.run();
