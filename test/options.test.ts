import { readFileSync } from "node:fs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { compileOptions, deriveUserTimeout, type KahookError, type KeepAliveOptions } from "../mod.ts";
import { darwin } from "../src/sys/darwin.ts";
import { platformFor } from "../src/sys/index.ts";
import { linux } from "../src/sys/linux.ts";
import { fails } from "./_fails.ts";

function rejects(options: unknown, field: string, shown: string): void {
  const { message } = fails(() => compileOptions(options as KeepAliveOptions, linux), {
    code: "KAHOOK_ERR_INVALID_OPTION",
    option: field,
  });
  assert.ok(message.includes(field), message);
  assert.ok(message.includes(shown), `${message} should show ${shown}`);
}

const outOfRange: [keyof KeepAliveOptions, unknown, string][] = [
  ["idle", 0, "1..32767000 ms"],
  ["idle", 32_767_001, "1..32767000 ms"],
  ["idle", -1000, "1..32767000 ms"],
  ["idle", 1.5, "1..32767000 ms"],
  ["idle", "30s", "1..32767000 ms"],
  ["idle", NaN, "1..32767000 ms"],
  ["interval", 0, "1..32767000 ms"],
  ["count", 0, "1..127"],
  ["count", 128, "1..127"],
  ["userTimeout", -1, "0..2147483647 ms"],
  ["userTimeout", 2 ** 31, "0..2147483647 ms"],
  ["synCount", 0, "1..127"],
  ["synCount", 128, "1..127"],
  ["deferAccept", -1, "0..2147483647000 ms"],
  ["maxSegment", 87, "88..32767"],
  ["maxSegment", 32768, "88..32767"],
  ["windowClamp", 0, "1..2147483647"],
  ["enable", 1, "true or false"],
  ["enable", "yes", "true or false"],
];

for (const [field, value, range] of outOfRange) {
  test(`rejects ${field} = ${String(value)} naming the field, the value and ${range}`, () => {
    rejects({ [field]: value }, field, range);
    rejects({ [field]: value }, field, typeof value === "string" ? JSON.stringify(value) : String(value));
  });
}

test("rejects unknown fields by name, so a typo is not silently ignored", () => {
  rejects({ idel: 1000 }, "idel", "known options");
});

test("rejects a non-object", () => {
  for (const options of [null, 5, "idle", [1]]) {
    assert.throws(() => compileOptions(options as unknown as KeepAliveOptions, linux), /options must be an object/);
  }
});

test("an absent field sets nothing", () => {
  assert.equal(compileOptions({}, linux), []);
  assert.equal(compileOptions({ idle: undefined, count: 3 }, linux).map((s) => s.option), ["count"]);
});

test("milliseconds are rounded up to the whole seconds the kernel counts", () => {
  const kernel = (options: KeepAliveOptions) => compileOptions(options, linux).map((s) => s.value);
  assert.equal(kernel({ idle: 1 }), [1]);
  assert.equal(kernel({ idle: 1000 }), [1]);
  assert.equal(kernel({ idle: 1001 }), [2]);
  assert.equal(kernel({ interval: 32_767_000 }), [32767]);
  assert.equal(kernel({ deferAccept: 0 }), [0]);
  assert.equal(kernel({ deferAccept: 2500 }), [3]);
  // userTimeout is in ms in the kernel too: no rounding.
  assert.equal(kernel({ userTimeout: 1234 }), [1234]);
});

test("settings come in a fixed order with their Linux constants", () => {
  const settings = compileOptions({ windowClamp: 5000, enable: true, idle: 5000, userTimeout: 9 }, linux);
  assert.equal(settings.map((s) => s.socketOption.constant), [
    "SO_KEEPALIVE",
    "TCP_KEEPIDLE",
    "TCP_USER_TIMEOUT",
    "TCP_WINDOW_CLAMP",
  ]);
});

function systemSeconds(name: string): number {
  return Number(readFileSync(`/proc/sys/net/ipv4/${name}`, "utf8"));
}

test("deriveUserTimeout is (idle + interval × count) in ms", () => {
  assert.is(deriveUserTimeout({ idle: 15_000, interval: 15_000, count: 9 }, linux), 150_000);
  // Seconds are rounded up before deriving, as the kernel will hold them.
  assert.is(deriveUserTimeout({ idle: 1_500, interval: 1_000, count: 2 }, linux), 4_000);
});

test("deriveUserTimeout reads the system defaults for what the options leave alone", () => {
  const idle = systemSeconds("tcp_keepalive_time");
  const interval = systemSeconds("tcp_keepalive_intvl");
  const count = systemSeconds("tcp_keepalive_probes");
  assert.is(deriveUserTimeout({ interval: 10_000, count: 3 }, linux), (idle + 30) * 1000);
  assert.is(deriveUserTimeout({ idle: 10_000 }, linux), (10 + interval * count) * 1000);
  assert.ok(
    deriveUserTimeout({ interval: 10_000, count: 3 }, linux) > 30_000,
    "idle left to the system is not taken as 0",
  );
});

test("deriveUserTimeout caps at the largest TCP_USER_TIMEOUT the kernel takes", () => {
  assert.is(deriveUserTimeout({ idle: 32_767_000, interval: 32_767_000, count: 127 }, linux), 2 ** 31 - 1);
});

test("an option the platform lacks is an ENOPROTOOPT error, not silence", () => {
  // macOS has no TCP_USER_TIMEOUT.
  const { message } = fails(() => compileOptions({ idle: 5_000, userTimeout: 10_000 }, darwin), {
    code: "KAHOOK_ERR_UNSUPPORTED_OPTION",
    errno: "ENOPROTOOPT",
    option: "userTimeout",
  });
  assert.match(message, /userTimeout is not available on darwin/);
  // The same options on the platform's own constants where it has them.
  assert.equal(compileOptions({ idle: 5_000 }, darwin)[0].socketOption.constant, "TCP_KEEPALIVE");
});

test("an unsupported operating system is a clear error", () => {
  assert.throws(
    () => platformFor("win32"),
    (e: KahookError) =>
      e.code === "KAHOOK_ERR_UNSUPPORTED_PLATFORM" && e.message.includes("win32") && e.message.includes("linux"),
  );
  assert.is(platformFor("linux"), linux);
});

test.run();
