/**
 * What CONTRIBUTING.md's architecture section says of the import graph: the folders of src/ stand
 * in layers, each importing values only from those below it (and its own), the entry points at
 * src/'s root and mod.ts on top; and no module imports a value from a module that imports it
 * back, however far round. Type-only imports are erased and do not count.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative, sep } from "node:path";
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

/** src/'s folders from the ground up; the files at src/'s root, and mod.ts, are the entry points above them all. */
const LAYERS = [
  "host",
  "sys",
  "config",
  "abi",
  "ffi",
  "runtimes",
  "fd",
  "api",
  "interposer",
  "observe",
  "fallback",
  "process",
  "remote",
  "deadpeer",
  "commands",
];

/** A module's layer: its folder's place in LAYERS, the entry points' above them. */
function layer(module: string): number {
  const [top, folder, file] = module.split(sep);
  if (top !== "src" || file === undefined) return LAYERS.length;
  const index = LAYERS.indexOf(folder);
  if (index < 0) throw new Error(`${module}: src/${folder}/ is in no layer of LAYERS`);
  return index;
}

/** Every value import from a lower layer to a higher one, as "from -> to". */
function upward(graph: Map<string, string[]>): string[] {
  return [...graph].flatMap(([module, imports]) =>
    imports.filter((target) => layer(target) > layer(module)).map((target) => `${module} -> ${target}`)
  );
}

test("each folder of src/ imports values only from its own and those below it in LAYERS", () => {
  const graph = valueImports();
  assert.ok(graph.get(normalize("src/config/env.ts"))!.includes(normalize("src/host/host.ts")), "the graph was read");
  assert.equal(upward(graph), []);
});

test("an import from a lower layer to a higher one is found", () => {
  const graph = new Map([[normalize("src/host/a.ts"), [normalize("src/fallback/b.ts"), normalize("src/host/c.ts")]]]);
  assert.equal(upward(graph), [`${normalize("src/host/a.ts")} -> ${normalize("src/fallback/b.ts")}`]);
});

test("the value imports of src/ form no cycle", () => {
  const graph = valueImports();
  assert.ok(graph.get("src/preload.ts")!.includes(normalize("src/process/interposer.ts")), "the graph was read");
  assert.equal(cycles(graph).map((cycle) => cycle.map((file) => relative(".", file)).join(" -> ")), []);
});

test("the walk finds a cycle where there is one", () => {
  const graph = new Map([["a.ts", ["b.ts"]], ["b.ts", ["c.ts"]], ["c.ts", ["a.ts"]]]);
  assert.equal(cycles(graph), [["a.ts", "b.ts", "c.ts", "a.ts"]]);
});

test.run();
