import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { execFileSync } from "../src/host/spawn.ts";
import { root } from "./_repo.ts";

/** A fresh project with kahook installed from its packed tarball, as a user installs it. */
export interface PackedProject {
  dir: string;
  remove(): void;
}

const npm = (args: string[], cwd: string) =>
  execFileSync("npm", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

/** The directory of package `name` as Node resolves it from directory `from`: the nearest node_modules up to the root. */
function packageDir(name: string, from: string): string | undefined {
  for (let dir = from;; dir = dirname(dir)) {
    const candidate = join(dir, "node_modules", name);
    if (existsSync(join(candidate, "package.json"))) return candidate;
    if (dir === root || dir === dirname(dir)) return undefined;
  }
}

/**
 * The directories of the packages named and of everything they depend on, each once, as the
 * repository's node_modules holds them. An optional dependency that is not there (koffi's
 * binaries for other platforms) is left to npm, which skips it; a missing dependency is an error.
 */
function withDependencies(names: readonly string[]): string[] {
  const found = new Set<string>();
  const visit = (name: string, from: string, required: boolean) => {
    const dir = packageDir(name, from);
    if (dir === undefined && required) throw new Error(`${name}, needed by ${from}, is not in node_modules`);
    if (dir === undefined || found.has(dir)) return;
    found.add(dir);
    const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    for (const dependency of Object.keys(manifest.dependencies ?? {})) visit(dependency, dir, true);
    for (const dependency of Object.keys(manifest.optionalDependencies ?? {})) visit(dependency, dir, false);
  };
  for (const name of names) visit(name, root, true);
  return [...found];
}

/**
 * Packs this repository as `npm publish` would (dist/ is built by `npm test`'s pretest), packs
 * kahook's dependencies and the packages named (undici by default) from node_modules, with
 * everything they depend on, and installs the tarballs offline, with an empty npm cache, into a
 * new project with the package.json given: neither the registry nor the cache is asked, so the
 * project gets what a user's would on any machine.
 */
export function packedProject(
  packageJson: Record<string, unknown>,
  packages: readonly string[] = ["undici"],
): PackedProject {
  const dir = mkdtempSync(join(tmpdir(), "kahook-packed-"));
  const tarballs = join(dir, "tarballs");
  const project = join(dir, "project");
  const ownDependencies = Object.keys(JSON.parse(readFileSync(join(root, "package.json"), "utf8")).dependencies);
  try {
    npm([
      "pack",
      "--ignore-scripts",
      "--pack-destination",
      dir,
      root,
      ...withDependencies([...ownDependencies, ...packages]),
    ], root);
    const packed = readdirSync(dir).filter((name) => name.endsWith(".tgz"));
    mkdirSync(tarballs);
    mkdirSync(project);
    for (const name of packed) renameSync(join(dir, name), join(tarballs, name));
    writeFileSync(
      join(project, "package.json"),
      JSON.stringify({ name: "kahook-user", private: true, type: "module", ...packageJson }, null, 2),
    );
    npm([
      "install",
      "--offline",
      `--cache=${join(dir, "npm-cache")}`,
      "--no-audit",
      "--no-fund",
      "--loglevel=error",
      ...packed.map((name) => join(tarballs, name)),
    ], project);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return { dir: project, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
