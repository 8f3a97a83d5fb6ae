import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { root } from "./_repo.ts";

/** Compiles native/<name>.c with the system's C compiler, runs it, and parses the JSON it prints. */
export function nativeJson(name: string): unknown {
  const dir = mkdtempSync(join(tmpdir(), "kahook-native-"));
  try {
    const binary = join(dir, name);
    execFileSync("cc", ["-Wall", "-Werror", "-o", binary, join(root, `native/${name}.c`)]);
    return JSON.parse(execFileSync(binary, { encoding: "utf8" }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
