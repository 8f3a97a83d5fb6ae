import { mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execFileSync } from "../src/runtimes/spawn.ts";
import { root } from "./_repo.ts";

/** A fresh project with kahook installed from its packed tarball, as a user installs it. */
export interface PackedProject {
  dir: string;
  remove(): void;
}

const npm = (args: string[], cwd: string) =>
  execFileSync("npm", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

/**
 * Packs this repository as `npm publish` would (dist/ is built by `npm test`'s pretest), packs
 * the packages named (koffi and undici by default) from node_modules, and installs the tarballs
 * offline into a new project with the package.json given: no registry is asked, the project
 * gets what a user's would.
 */
export function packedProject(
  packageJson: Record<string, unknown>,
  packages: readonly string[] = ["koffi", "undici"],
): PackedProject {
  const dir = mkdtempSync(join(tmpdir(), "kahook-packed-"));
  const tarballs = join(dir, "tarballs");
  const project = join(dir, "project");
  try {
    npm([
      "pack",
      "--ignore-scripts",
      "--pack-destination",
      dir,
      root,
      ...packages.map((name) => join(root, "node_modules", name)),
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
