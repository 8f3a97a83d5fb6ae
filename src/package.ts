import { builtin } from "./runtimes/builtin.ts";

/**
 * A file of the installed package by its path from the package root. Bun and Deno run src/*.ts,
 * Node the build in dist/src/*.js, one directory deeper.
 */
export function packageFile(path: string): URL {
  const root = import.meta.url.endsWith(".ts") ? "../" : "../../";
  return new URL(root + path, import.meta.url);
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
