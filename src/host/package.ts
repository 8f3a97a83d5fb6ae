import { builtin } from "./builtin.ts";

/**
 * A file of the installed package by its path from the package root. This module runs from
 * src/host/ (Bun and Deno on the sources, JSR), from dist/src/host/ (Node on the build) and from
 * the preload's bundles in dist/src/: the root is what comes before the last src/, and before
 * dist/ when that src/ is dist/src/.
 */
export function packageFile(path: string): URL {
  const url = import.meta.url;
  const source = url.lastIndexOf("/src/");
  const built = url.lastIndexOf("/dist/src/");
  const root = url.slice(0, built >= 0 && built + "/dist".length === source ? built + 1 : source + 1);
  return new URL(path, root);
}

/**
 * The package's version, read from its package.json so that it cannot drift from the one
 * published; undefined where the package is not on disk (a copy served by JSR, which has none).
 */
export function packageVersion(): string | undefined {
  const manifest = packageFile("package.json");
  if (manifest.protocol !== "file:") return undefined;
  // A file URL's path, decoded, is the file's path on the POSIX systems kahook runs on.
  return JSON.parse(builtin("node:fs").readFileSync(decodeURIComponent(manifest.pathname), "utf8")).version;
}
