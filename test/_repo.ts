import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root, from test/ (Bun, Deno) or dist/test/ (Node): the directory holding deno.json. */
export const root: string = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let steps = 0; steps < 4; steps++, dir = dirname(dir)) {
    if (existsSync(join(dir, "deno.json"))) return dir;
  }
  throw new Error(`no deno.json above ${fileURLToPath(import.meta.url)}`);
})();
