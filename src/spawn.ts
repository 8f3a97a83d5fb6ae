import process from "node:process";
import { runtime } from "./runtime.ts";

/**
 * The command that runs a program under the runtime running this process, with runtime flags
 * (a preload) before the program. Deno needs `run` and its permissions: -A, as kahook reads /proc.
 */
export function runtimeCommand(program: string, flags: readonly string[] = []): { binary: string; args: string[] } {
  return { binary: process.execPath, args: runtime === "deno" ? ["run", "-A", ...flags, program] : [...flags, program] };
}
