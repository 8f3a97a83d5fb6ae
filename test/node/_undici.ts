import { createRequire } from "node:module";
import process from "node:process";

type Undici = typeof import("undici");

/** undici 8 requires Node >= 22.19 (it crashes on load before that); undici 7 runs on Node 20. */
export function undiciPackage(): "undici" | "undici8" {
  const [major, minor] = process.versions.node.split(".").map(Number);
  return major > 22 || (major === 22 && minor >= 19) ? "undici8" : "undici";
}

/** The undici from npm that fits this Node, and its version. */
export async function loadUndici(): Promise<{ undici: Undici; version: string }> {
  const name = undiciPackage();
  const undici = (await import(name)) as Undici;
  const { version } = createRequire(import.meta.url)(`${name}/package.json`) as { version: string };
  return { undici, version };
}
