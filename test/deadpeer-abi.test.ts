/** The dead-peer simulation's structs and constants are transcribed from C headers: check them. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import * as abi from "../src/sys/socket-filter.ts";
import { TCP_STATES } from "../src/sys/tcp-info.ts";
import { nativeJson } from "./_native.ts";

const header = nativeJson("deadpeer") as Record<string, number | Record<string, number>>;

test("constants equal the headers", () => {
  for (const name of ["SO_ATTACH_FILTER", "BPF_RET_K"] as const) {
    assert.is(abi[name], header[name], name);
  }
});

test("struct sizes and offsets equal the headers", () => {
  for (const name of ["SOCK_FILTER", "SOCK_FPROG"] as const) {
    assert.equal({ ...abi[name] }, header[name], name);
  }
});

test("tcpi_state names stand at the headers' numbers", () => {
  for (const [state, number] of Object.entries(header.TCP_STATES)) {
    assert.is(TCP_STATES[number], state, `TCP_${state}`);
  }
});

test.run();
