/**
 * A file of the installed package by its path from the package root. Bun and Deno run src/*.ts,
 * Node the build in dist/src/*.js, one directory deeper.
 */
export function packageFile(path: string): URL {
  const root = import.meta.url.endsWith(".ts") ? "../" : "../../";
  return new URL(root + path, import.meta.url);
}
