import { readFileSync } from "node:fs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { configFromEnv } from "../mod.ts";
import { ENV_NAMES, VARIABLES } from "../src/config/env.ts";
import { fails } from "./_fails.ts";
import { root } from "./_repo.ts";
import { join } from "node:path";
import process from "node:process";
import { linux } from "../src/sys/linux.ts";

type Env = Record<string, string>;
const read = (env: Env) => configFromEnv(env, linux);

function rejects(env: Env, variable: string): void {
  const { message } = fails(() => read(env), { code: "KAHOOK_ERR_INVALID_ENV", variable });
  assert.ok(message.startsWith(`${variable}=${JSON.stringify(env[variable])} `), message);
}

test("unset variables give kahook's defaults: 15 s idle, 15 s interval, 9 probes, derived user timeout", () => {
  assert.equal(read({}), {
    options: { enable: true, idle: 15_000, interval: 15_000, count: 9, userTimeout: 150_000 },
    mode: "socket",
    debug: false,
    rules: [],
    interposer: true,
    metrics: false,
  });
});

test("KAHOOK_METRICS takes 1 or 0, and nothing else; off when unset", () => {
  assert.is(read({ KAHOOK_METRICS: "1" }).metrics, true);
  assert.is(read({ KAHOOK_METRICS: "0" }).metrics, false);
  for (const raw of ["", "on", "true", "2"]) rejects({ KAHOOK_METRICS: raw }, "KAHOOK_METRICS");
});

test("KAHOOK_INTERPOSER takes 1 or 0, and nothing else", () => {
  assert.is(read({ KAHOOK_INTERPOSER: "1" }).interposer, true);
  assert.is(read({ KAHOOK_INTERPOSER: "0" }).interposer, false);
  for (const raw of ["", "off", "false", "2"]) rejects({ KAHOOK_INTERPOSER: raw }, "KAHOOK_INTERPOSER");
});

// The values libkeepalive's atoi() turns silently into something else.
const BAD = ["30s", "abc", "-5", "1e3", "0x10", "", " 5", "5 ", "+5", "1.5", "99999999999", "١٢"];

for (const { name } of VARIABLES) {
  test(`${name}: every malformed value is rejected naming ${name}, never replaced by a default`, () => {
    for (const raw of BAD) rejects({ [name]: raw }, name);
    if (name !== "TCP_USER_TIMEOUT") rejects({ [name]: "-1" }, name);
  });
}

test("out-of-range values are rejected with the accepted range", () => {
  const cases: [string, string, string][] = [
    ["TCP_KEEPIDLE", "32768", "1..32767"],
    ["TCP_KEEPINTVL", "32768", "1..32767"],
    ["TCP_KEEPCNT", "128", "1..127"],
    ["TCP_SYNCNT", "128", "1..127"],
    ["TCP_MAXSEG", "87", "88..32767"],
    ["TCP_MAXSEG", "32768", "88..32767"],
    ["TCP_USER_TIMEOUT", "2147483648", "1..2147483647 ms"],
  ];
  for (const [name, raw, range] of cases) {
    rejects({ [name]: raw }, name);
    assert.throws(() => read({ [name]: raw }), (e: Error) => e.message.includes(range));
  }
});

test("valid values are used exactly as written, converted to ms where the API takes ms", () => {
  const { options } = read({
    TCP_KEEPIDLE: "32767",
    TCP_KEEPINTVL: "1",
    TCP_KEEPCNT: "127",
    TCP_USER_TIMEOUT: "2000",
    TCP_SYNCNT: "2",
    TCP_DEFER_ACCEPT: "5",
    TCP_MAXSEG: "88",
    TCP_WINDOW_CLAMP: "40000",
  });
  assert.equal(options, {
    enable: true,
    idle: 32_767_000,
    interval: 1_000,
    count: 127,
    userTimeout: 2_000,
    synCount: 2,
    deferAccept: 5_000,
    maxSegment: 88,
    windowClamp: 40_000,
  });
});

test("leading zeros are plain decimal, not octal", () => {
  assert.is(read({ TCP_KEEPIDLE: "010" }).options.idle, 10_000);
});

test("0 leaves an option to the system: the option is absent, not set to a default", () => {
  const { options } = read({ TCP_KEEPIDLE: "0", TCP_KEEPINTVL: "0", TCP_KEEPCNT: "0", TCP_USER_TIMEOUT: "0" });
  assert.equal(options, { enable: true });
});

test("TCP_USER_TIMEOUT=-1 derives from the values really in force, reading /proc for what is left to the system", () => {
  assert.is(
    read({ TCP_USER_TIMEOUT: "-1", TCP_KEEPIDLE: "5", TCP_KEEPINTVL: "2", TCP_KEEPCNT: "3" }).options.userTimeout,
    11_000,
  );
  const systemIdle = Number(readFileSync("/proc/sys/net/ipv4/tcp_keepalive_time", "utf8"));
  const derived = read({ TCP_KEEPIDLE: "0", TCP_KEEPINTVL: "2", TCP_KEEPCNT: "3" }).options;
  assert.is(derived.idle, undefined);
  assert.is(derived.userTimeout, (systemIdle + 6) * 1000);
});

test("KAHOOK_MODE takes connect, listen or socket, and nothing else", () => {
  for (const mode of ["connect", "listen", "socket"]) assert.is(read({ KAHOOK_MODE: mode }).mode, mode);
  for (const raw of ["", "both", "Connect", "client"]) rejects({ KAHOOK_MODE: raw }, "KAHOOK_MODE");
});

test("KAHOOK_DEBUG is on for any value but empty and 0", () => {
  assert.is(read({}).debug, false);
  assert.is(read({ KAHOOK_DEBUG: "" }).debug, false);
  assert.is(read({ KAHOOK_DEBUG: "0" }).debug, false);
  assert.is(read({ KAHOOK_DEBUG: "1" }).debug, true);
  assert.is(read({ KAHOOK_DEBUG: "yes" }).debug, true);
});

test("reads process.env by default", () => {
  const saved = process.env.KAHOOK_MODE;
  // Not the default (socket), so that a configFromEnv() ignoring process.env fails here.
  process.env.KAHOOK_MODE = "listen";
  try {
    assert.is(configFromEnv().mode, "listen");
  } finally {
    if (saved === undefined) delete process.env.KAHOOK_MODE;
    else process.env.KAHOOK_MODE = saved;
  }
});

test("ENV_NAMES lists exactly the variables configFromEnv reads, rules and profile included", () => {
  const read = new Set<string>();
  const recording = new Proxy({ KAHOOK_RULES: "port=5432:TCP_KEEPIDLE=30" } as Record<string, string>, {
    get(target, name) {
      if (typeof name === "string") read.add(name);
      return target[name as string];
    },
  });
  configFromEnv(recording);
  assert.equal([...read].sort(), [...ENV_NAMES].sort());
});

test("docs/configuration.md's table of variables names every variable kahook reads", () => {
  const page = readFileSync(join(root, "docs/configuration.md"), "utf8");
  const section = page.slice(page.indexOf("## The variables"));
  const table = section.slice(0, section.indexOf("\n\n", section.indexOf("| variable |")));
  const named = [...table.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((match) => match[1]);
  assert.equal(named.sort(), [...ENV_NAMES].sort());
});

test.run();
