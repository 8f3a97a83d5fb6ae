// What KAHOOK_DEBUG and `kahook check` say the JavaScript hooks leave out, runtime by runtime, is
// what the README's table says.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { NOT_COVERED } from "../../src/fallback/coverage.ts";
import type { Runtime } from "../../src/host/host.ts";
import { root } from "../_repo.ts";

const RUNTIMES: readonly Runtime[] = ["node", "bun", "deno"];

/** The rows of the README's table under "What is covered": sockets, with the interposer, with the hooks alone. */
function tableRows(): string[][] {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("\n## What is covered"), readme.indexOf("\nNot covered:"));
  return section.split("\n").filter((line) => line.startsWith("| ")).slice(2).map((line) =>
    line.slice(2, -2).split(" | ").map((cell) => cell.replaceAll("`", ""))
  );
}

/**
 * The runtimes whose hooks a row's cell says leave its sockets out: those its "Bun, Deno: not
 * covered" part names; without such parts, the runtime whose own API the row is (Bun's, Deno.),
 * else all three.
 */
function leftOut(sockets: string, hooks: string): Runtime[] {
  const parts = hooks.split("; ").map((part) => part.match(/^([A-Z][a-z]+(?:, [A-Z][a-z]+)*): (.*)$/));
  if (parts.every(Boolean)) {
    return parts.filter((part) => part![2].startsWith("not covered")).flatMap((part) =>
      part![1].split(", ").map((name) => name.toLowerCase() as Runtime)
    );
  }
  if (!hooks.includes("not covered")) return [];
  return RUNTIMES.filter((runtime) => {
    const own = RUNTIMES.find((name) => new RegExp(`^${name}('s |\\.)`, "i").test(sockets));
    return own === undefined || own === runtime;
  });
}

test("each runtime's list is the README's rows whose sockets the JavaScript hooks leave out in that runtime", () => {
  const rows = tableRows();
  assert.ok(rows.length >= 8, "the README's table was found");
  for (const runtime of RUNTIMES) {
    const expected = rows.filter(([sockets, , hooks]) => leftOut(sockets, hooks).includes(runtime));
    assert.equal(NOT_COVERED[runtime], expected.map(([sockets]) => sockets), runtime);
  }
});

test.run();
