import { execFileSync } from "../src/host/spawn.ts";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { root } from "./_repo.ts";

/** Compiles native/NAME.c with the system's cc and returns the JSON it prints. */
export function nativeJson(name: string): Record<string, number> {
  const dir = mkdtempSync(join(tmpdir(), "kahook-native-"));
  try {
    const binary = join(dir, basename(name));
    execFileSync("cc", ["-Wall", "-Werror", "-o", binary, join(root, `native/${name}.c`)]);
    return JSON.parse(execFileSync(binary, [], { encoding: "utf8" }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
