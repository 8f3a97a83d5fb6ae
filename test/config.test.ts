/** Presets, the dead-peer detection model and `kahook config`'s output. */
import { readFileSync } from "node:fs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { config } from "../src/commands/config.ts";
import { idleDetection, retransmissionTimeout } from "../src/deadpeer/detect.ts";
import { configFromEnv } from "../src/config/env.ts";
import { PROFILES } from "../src/config/profiles.ts";
import { fails } from "./_fails.ts";

const sysctl = (name: string) => Number(readFileSync(`/proc/sys/net/ipv4/${name}`, "utf8"));

test("retransmission model: tcp_retries2 = 15 gives up after 924.6 s; the RTO doubles from 200 ms up to its maximum", () => {
  assert.is(retransmissionTimeout(15), 924.6);
  assert.is(retransmissionTimeout(3), 3); // 0.2 + 0.4 + 0.8 + 1.6
  assert.is(retransmissionTimeout(9), 204.6); // the last doubling below 120 s
  assert.is(retransmissionTimeout(10), 324.6);
  assert.is(retransmissionTimeout(15, 60_000), 102.2 + 7 * 60); // doubles 8 times below 60 s, then 7 × 60 s
});

test("idle detection: idle + interval × count; with TCP_USER_TIMEOUT, the first probe tick past it, count ignored", () => {
  assert.is(idleDetection({ idle: 1, interval: 1, count: 2, userTimeout: 0 }), 3);
  assert.is(idleDetection({ idle: 7200, interval: 75, count: 9, userTimeout: 0 }), 7875);
  assert.is(idleDetection({ idle: 15, interval: 15, count: 9, userTimeout: 150_000 }), 150);
  assert.is(idleDetection({ idle: 15, interval: 15, count: 3, userTimeout: 600_000 }), 600);
  assert.is(idleDetection({ idle: 15, interval: 10, count: 3, userTimeout: 1_000 }), 25);
});

test("every preset probes, and notices a dead peer, before its middlebox's idle timeout", () => {
  for (const profile of PROFILES) {
    const { options } = configFromEnv({ KAHOOK_PROFILE: profile.name });
    const [idle, interval, count] = [options.idle! / 1000, options.interval! / 1000, options.count!];
    assert.equal([idle, interval, count].map(String), Object.values(profile.variables), profile.name);
    assert.ok(idle + interval * count < profile.idleTimeout, profile.name);
    assert.is(options.userTimeout, (idle + interval * count) * 1000, `${profile.name}: derived user timeout`);
    assert.match(profile.source, /^https:\/\//);
  }
});

test("explicit variables win over the preset", () => {
  const { options } = configFromEnv({ KAHOOK_PROFILE: "aws-nlb", TCP_KEEPCNT: "3", TCP_USER_TIMEOUT: "5000" });
  assert.equal([options.idle, options.interval, options.count, options.userTimeout], [60_000, 10_000, 3, 5000]);
});

test("an unknown profile is an error naming the variable, the value and the known ones", () => {
  const { message } = fails(() => configFromEnv({ KAHOOK_PROFILE: "aws" }), { variable: "KAHOOK_PROFILE" });
  assert.is(message, `KAHOOK_PROFILE="aws" is not valid: expected one of ${PROFILES.map((p) => p.name).join(", ")}`);
});

test("kahook config shows the system defaults read from /proc and both detection times", () => {
  const text = config({});
  for (const name of ["tcp_keepalive_time", "tcp_keepalive_intvl", "tcp_keepalive_probes"]) {
    assert.match(text, new RegExp(`net\\.ipv4\\.${name} +${sysctl(name)}`));
  }
  assert.match(text, new RegExp(`net\\.ipv4\\.tcp_retries2 +${sysctl("tcp_retries2")} `));
  assert.match(text, /idle connection +150 s \(2 min 30 s\)/);
  assert.match(text, /busy connection +150 s \(2 min 30 s\)/);
  assert.match(text, /TCP_KEEPIDLE +15 s +default/);
  assert.not.match(text, /WARNING/);
});

test("kahook config warns for each middlebox whose idle timeout the idle time reaches", () => {
  const text = config({ TCP_KEEPIDLE: "300" });
  const warned = PROFILES.filter(({ name }) => new RegExp(`^  ${name} .*WARNING: idle 300 s`, "m").test(text));
  assert.equal(
    warned.map(({ name }) => name),
    PROFILES.filter(({ idleTimeout }) => idleTimeout <= 300).map(({ name }) => name),
  );
  assert.ok(warned.length > 0 && warned.length < PROFILES.length);
  assert.match(config({ KAHOOK_PROFILE: "gcp-lb" }), /TCP_KEEPIDLE +120 s +KAHOOK_PROFILE=gcp-lb/);
});

test("kahook config shows each rule: its destinations, the options in force for them and their detection times", () => {
  const text = config({
    TCP_KEEPINTVL: "5",
    KAHOOK_RULES: "port=5432:TCP_KEEPIDLE=30,TCP_KEEPCNT=3;addr=10.0.0.0/8,port=6379:TCP_USER_TIMEOUT=0",
  });
  const rules = text.slice(text.indexOf("Rules (KAHOOK_RULES"), text.indexOf("Load balancers"));
  assert.equal(rules.trimEnd().split("\n"), [
    "Rules (KAHOOK_RULES; the first that matches a client connection wins):",
    "  1  port=5432",
    "     TCP_KEEPIDLE 30 s, TCP_KEEPINTVL 5 s, TCP_KEEPCNT 3, TCP_USER_TIMEOUT 45 s",
    "     dead peer detected within 45 s idle, 45 s busy",
    "  2  addr=10.0.0.0/8,port=6379",
    "     TCP_KEEPIDLE 15 s, TCP_KEEPINTVL 5 s, TCP_KEEPCNT 9",
    // TCP_USER_TIMEOUT=0: a busy connection waits for the system's retransmissions to give up.
    `     dead peer detected within 60 s (1 min) idle, ${
      text.match(/gives up after (.*) of retransmissions/)![1]
    } busy`,
  ]);
  assert.match(config({}), /^Rules \(KAHOOK_RULES\): none; every client connection gets the configuration above$/m);
  assert.match(
    config({ KAHOOK_MODE: "listen", KAHOOK_RULES: "port=1:" }),
    /^Rules \(KAHOOK_RULES; none apply: KAHOOK_MODE=listen leaves client connections alone\):$/m,
  );
});

test.run();
