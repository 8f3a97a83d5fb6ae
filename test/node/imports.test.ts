/**
 * What CONTRIBUTING.md's architecture section says of the import graph: no module of src/ (or
 * mod.ts) imports a value from a module that imports it back, however far round. Type-only
 * imports are erased and do not count.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { root } from "../_repo.ts";

const VALUE_IMPORT = /^(?:import|export)\s+(?!type\b)([^;]*?)\s+from\s+"(\.[^"]+)"/gm;

function sources(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? sources(path) : entry.name.endsWith(".ts") ? [path] : [];
  });
}

/** Each module's value imports, by path from the repository's root. */
function valueImports(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of [...sources("src"), "mod.ts"]) {
    const text = readFileSync(join(root, file), "utf8");
    const names = (clause: string) => clause.replace(/[{}]/g, "").split(",").map((name) => name.trim()).filter(Boolean);
    graph.set(
      file,
      [...text.matchAll(VALUE_IMPORT)]
        .filter(([, clause]) => !clause.startsWith("{") || names(clause).some((name) => !name.startsWith("type ")))
        .map(([, , specifier]) => normalize(join(dirname(file), specifier))),
    );
  }
  return graph;
}

/** Every cycle a depth-first walk meets, as the list of its modules. */
function cycles(graph: Map<string, string[]>): string[][] {
  const state = new Map<string, "open" | "done">();
  const path: string[] = [];
  const found: string[][] = [];
  const visit = (module: string) => {
    state.set(module, "open");
    path.push(module);
    for (const next of graph.get(module) ?? []) {
      if (state.get(next) === "open") found.push([...path.slice(path.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    path.pop();
    state.set(module, "done");
  };
  for (const module of graph.keys()) if (!state.has(module)) visit(module);
  return found;
}

test("the value imports of src/ form no cycle", () => {
  const graph = valueImports();
  assert.ok(graph.get("src/register.ts")!.includes(normalize("src/process/install.ts")), "the graph was read");
  assert.equal(cycles(graph).map((cycle) => cycle.map((file) => relative(".", file)).join(" -> ")), []);
});

test("the walk finds a cycle where there is one", () => {
  const graph = new Map([["a.ts", ["b.ts"]], ["b.ts", ["c.ts"]], ["c.ts", ["a.ts"]]]);
  assert.equal(cycles(graph), [["a.ts", "b.ts", "c.ts", "a.ts"]]);
});

test.run();
