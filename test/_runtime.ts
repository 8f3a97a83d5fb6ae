import { extname } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { runtime } from "../src/runtime.ts";

/** The path of a test/ helper program beside this file: .js under Node (dist/test/), .ts elsewhere. */
export function helperProgram(name: string): string {
  return fileURLToPath(new URL(`./${name}${extname(fileURLToPath(import.meta.url))}`, import.meta.url));
}

/** The command that runs a program under the runtime running this process, with its flags (a preload). */
export function runtimeCommand(program: string, flags: readonly string[] = []): { binary: string; args: string[] } {
  return { binary: process.execPath, args: runtime === "deno" ? ["run", "-A", ...flags, program] : [...flags, program] };
}
