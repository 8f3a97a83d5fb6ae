import { createRequire } from "node:module";
import process from "node:process";
import { pathToFileURL } from "node:url";

type Undici = typeof import("undici");

/** undici 8 requires Node >= 22.19 (it crashes on load before that); undici 7 runs on Node 20. */
export function undiciPackage(): "undici" | "undici8" {
  const [major, minor] = process.versions.node.split(".").map(Number);
  return major > 22 || (major === 22 && minor >= 19) ? "undici8" : "undici";
}

/**
 * The undici from npm that fits this Node (Bun and Deno report a Node version too), and its version.
 * Imported by path: in Bun a bare "undici" is Bun's built-in stub, whose Agent ignores `connect`.
 */
export async function loadUndici(): Promise<{ undici: Undici; version: string }> {
  const name = undiciPackage();
  const require = createRequire(import.meta.url);
  const undici = (await import(pathToFileURL(require.resolve(name)).href)) as Undici;
  const { version } = require(`${name}/package.json`) as { version: string };
  return { undici, version };
}
