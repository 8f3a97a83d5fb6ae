import { test } from "uvu";
import * as assert from "uvu/assert";
import { configFromEnv, type Rule } from "../mod.ts";
import { SocketPlan } from "../src/config/plan.ts";
import { compileRules } from "../src/config/rules.ts";
import { linux } from "../src/sys/linux.ts";
import { fails } from "./_fails.ts";

type Env = Record<string, string>;
const rules = (env: Env) => configFromEnv(env, linux).rules;

test("KAHOOK_RULES: each rule is its variables overlaid on the environment; TCP_USER_TIMEOUT is derived from the rule's values", () => {
  assert.equal(
    rules({
      TCP_KEEPINTVL: "5",
      KAHOOK_RULES: "port=5432:TCP_KEEPIDLE=30,TCP_KEEPCNT=3;addr=127.0.0.2:TCP_USER_TIMEOUT=5000",
    }),
    [
      {
        port: 5432,
        options: { enable: true, idle: 30_000, interval: 5_000, count: 3, userTimeout: (30 + 5 * 3) * 1000 },
      },
      { address: "127.0.0.2", options: { enable: true, idle: 15_000, interval: 5_000, count: 9, userTimeout: 5_000 } },
    ],
  );
});

test("KAHOOK_RULES: IPv6 addresses as written, CIDR blocks, both matchers in one rule, a rule without variables, 0 for the system default", () => {
  const base = { enable: true, idle: 15_000, interval: 15_000, count: 9, userTimeout: 150_000 };
  assert.equal(
    rules({ KAHOOK_RULES: "addr=::1:TCP_KEEPCNT=2;addr=fd00::/8,port=443:;addr=10.0.0.0/8:TCP_USER_TIMEOUT=0" }),
    [
      { address: "::1", options: { ...base, count: 2, userTimeout: (15 + 15 * 2) * 1000 } },
      { address: "fd00::/8", port: 443, options: base },
      { address: "10.0.0.0/8", options: { enable: true, idle: 15_000, interval: 15_000, count: 9 } },
    ],
  );
});

test("KAHOOK_RULES: a preset applies to the rules too; a rule's own variable wins over it", () => {
  assert.equal(rules({ KAHOOK_PROFILE: "aws-nlb", KAHOOK_RULES: "port=6379:TCP_KEEPIDLE=20" }), [
    {
      port: 6379,
      options: { enable: true, idle: 20_000, interval: 10_000, count: 6, userTimeout: (20 + 10 * 6) * 1000 },
    },
  ]);
});

test("KAHOOK_RULES unset or empty: no rules", () => {
  assert.equal(rules({}), []);
  assert.equal(rules({ KAHOOK_RULES: "" }), []);
});

/** [KAHOOK_RULES, the position of the bad rule, the bad part as the message shows it]. */
const BAD: [string, number, string][] = [
  ["port=5432", 1, "expected MATCHERS:VARIABLES"],
  ["port=1:TCP_KEEPCNT=3;", 2, "expected MATCHERS:VARIABLES"],
  [":TCP_KEEPIDLE=30", 1, "a rule needs a port or an address"],
  ["host=1.2.3.4:TCP_KEEPCNT=3", 1, `"host=1.2.3.4": expected addr=ADDRESS[/PREFIX] or port=PORT`],
  ["port:TCP_KEEPCNT=3", 1, `matcher "port": expected NAME=VALUE`],
  ["port=1,port=2:TCP_KEEPCNT=3", 1, `"port=2": expected addr=ADDRESS[/PREFIX] or port=PORT, each at most once`],
  ["port=0:TCP_KEEPCNT=3", 1, "port 0: expected an integer 1..65535"],
  ["port=65536:TCP_KEEPCNT=3", 1, "port 65536: expected an integer 1..65535"],
  ["port=54x:TCP_KEEPCNT=3", 1, `port "54x": expected an integer 1..65535`],
  [
    "port=1:TCP_KEEPCNT=3;addr=db.example.com:TCP_KEEPCNT=3",
    2,
    `address "db.example.com": expected an IPv4 or IPv6 address`,
  ],
  ["addr=10.0.0.1/8:TCP_KEEPCNT=3", 1, `address "10.0.0.1/8": has bits set after the /8 prefix`],
  ["addr=10.0.0.0/33:TCP_KEEPCNT=3", 1, `address "10.0.0.0/33": the prefix must be 0..32`],
  ["addr=fd00::/129:TCP_KEEPCNT=3", 1, `address "fd00::/129": the prefix must be 0..128`],
  ["addr=10.0.0.0/8/8:TCP_KEEPCNT=3", 1, `address "10.0.0.0/8/8": expected an IPv4 or IPv6 address`],
  ["addr=::ffff:10.0.0.1:TCP_KEEPCNT=3", 1, `address "::ffff:10.0.0.1": write the IPv4 address`],
  ["port=1:TCP_KEEPIDEL=3", 1, `"TCP_KEEPIDEL=3": expected one of TCP_KEEPIDLE,`],
  ["port=1:KAHOOK_MODE=connect", 1, `"KAHOOK_MODE=connect": expected one of TCP_KEEPIDLE,`],
  ["port=1:TCP_KEEPCNT=3,TCP_KEEPCNT=4", 1, `"TCP_KEEPCNT=4": expected one of TCP_KEEPIDLE, TCP_KEEPINTVL,`],
  ["port=1:TCP_KEEPCNT", 1, `variable "TCP_KEEPCNT": expected NAME=VALUE`],
  ["port=1:TCP_DEFER_ACCEPT=5", 1, "TCP_DEFER_ACCEPT applies to listening sockets, and rules to client connections"],
  [
    "port=1:TCP_KEEPCNT=3;port=2:TCP_KEEPIDLE=30s",
    2,
    `TCP_KEEPIDLE="30s" is not valid: expected a whole number 1..32767`,
  ],
  ["port=1:TCP_KEEPCNT=128", 1, `TCP_KEEPCNT="128" is not valid: out of range`],
];

for (const [raw, position, part] of BAD) {
  test(`KAHOOK_RULES=${JSON.stringify(raw)} is rejected naming rule ${position} and ${part}`, () => {
    const { message } = fails(() => rules({ KAHOOK_RULES: raw }), {
      code: "KAHOOK_ERR_INVALID_ENV",
      variable: "KAHOOK_RULES",
    });
    const text = raw.split(";")[position - 1];
    assert.ok(message.startsWith(`KAHOOK_RULES rule ${position} (${JSON.stringify(text)}): `), message);
    assert.ok(message.includes(part), message);
  });
}

test("KAHOOK_RULES with an invalid base variable names the variable, as without rules", () => {
  fails(() => rules({ TCP_KEEPCNT: "x", KAHOOK_RULES: "port=1:TCP_KEEPIDLE=30" }), { variable: "TCP_KEEPCNT" });
});

const match = (table: Omit<Rule, "options">[], address: string | undefined, port?: number) =>
  compileRules(table)(address, port);

test("matching: the first rule that matches wins; -1 when none does", () => {
  const table = [{ port: 5432 }, { address: "127.0.0.0/8" }, { address: "127.0.0.2", port: 80 }];
  assert.is(match(table, "127.0.0.2", 5432), 0);
  assert.is(match(table, "10.0.0.2", 5432), 0);
  assert.is(match(table, "127.0.0.2", 80), 1);
  assert.is(match(table, "10.0.0.2", 80), -1);
  assert.is(match(table, undefined, 80), -1);
  assert.is(match([], "127.0.0.1", 80), -1);
});

test("matching: a port rule and an address rule must both hold when in one rule", () => {
  const table = [{ address: "127.0.0.2", port: 80 }];
  assert.is(match(table, "127.0.0.2", 80), 0);
  assert.is(match(table, "127.0.0.2", 81), -1);
  assert.is(match(table, "127.0.0.3", 80), -1);
});

test("matching: CIDR blocks on byte and bit boundaries, /0, and single addresses", () => {
  assert.is(match([{ address: "172.16.0.0/12" }], "172.31.255.255"), 0);
  assert.is(match([{ address: "172.16.0.0/12" }], "172.32.0.0"), -1);
  assert.is(match([{ address: "172.16.0.0/12" }], "172.15.255.255"), -1);
  assert.is(match([{ address: "0.0.0.0/0" }], "203.0.113.9"), 0);
  assert.is(match([{ address: "0.0.0.0/0" }], "2001:db8::1"), -1);
  assert.is(match([{ address: "127.0.0.2" }], "127.0.0.3"), -1);
});

test("matching: IPv6 written any way, with zones, and IPv4-mapped peers matching IPv4 rules", () => {
  assert.is(match([{ address: "fd00::/8" }], "fd12:3456::1"), 0);
  assert.is(match([{ address: "fd00::/8" }], "fe80::1"), -1);
  assert.is(match([{ address: "::1" }], "0:0:0:0:0:0:0:1"), 0);
  assert.is(match([{ address: "::1" }], "::2"), -1);
  assert.is(match([{ address: "2001:db8::/32" }], "2001:db8:0:0:1::"), 0);
  assert.is(match([{ address: "2001:db8::/32" }], "2001:db9::"), -1);
  assert.is(match([{ address: "fe80::/10" }], "fe80::1%eth0"), 0);
  assert.is(match([{ address: "127.0.0.2" }], "::ffff:127.0.0.2"), 0);
  assert.is(match([{ address: "::7f00:2" }], "127.0.0.2"), -1);
});

test("rules from code: each rule's options are checked once, errors name the rule", () => {
  const invalid = (table: Rule[], expected: string) => {
    const { message } = fails(() => new SocketPlan({ options: {}, rules: table }), {
      code: "KAHOOK_ERR_INVALID_OPTION",
    });
    assert.ok(message.startsWith(expected), message);
  };
  invalid([{ port: 1, options: {} }, { port: 0, options: {} }], "rule 2: port 0: expected an integer 1..65535");
  invalid([{ options: {} }], "rule 1: a rule needs a port or an address to match");
  invalid([{ address: "localhost", options: {} }], `rule 1: address "localhost": expected an IPv4 or IPv6 address`);
  invalid([{ port: 1, options: { idle: -1 } }], "rule 1: invalid idle: -1");
});

test("rules from code: the settings chosen per destination, labelled by rule; the mode listen leaves clients alone", () => {
  const table: Rule[] = [{ port: 5432, options: { count: 3, deferAccept: 5000 } }];
  const plan = new SocketPlan({ options: { enable: true }, rules: table });
  const chosen = plan.clientFor("127.0.0.1", 5432);
  assert.is(chosen.label, "client, rule 1");
  // TCP_DEFER_ACCEPT means something else on a client: never set there.
  assert.equal(chosen.beforeConnect.map(({ option, value }) => [option, value]), [["count", 3]]);
  assert.equal(chosen.afterSetKeepAlive.map(({ option }) => option), ["count"]);
  assert.is(plan.clientFor("127.0.0.1", 80), plan.client);
  assert.equal(plan.client.beforeConnect.map(({ option }) => option), ["enable"]);
  const listening = new SocketPlan({ options: { enable: true }, rules: table, mode: "listen" });
  assert.equal(listening.clientFor("127.0.0.1", 5432).beforeConnect, []);
});

test.run();
