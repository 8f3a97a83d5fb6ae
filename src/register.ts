/**
 * The preload: `node --import kahook/register` or `node --require kahook/register`.
 * Reads the environment and installs the hooks. An invalid configuration stops the program
 * before it starts, with one line naming the variable and exit status 78 (EX_CONFIG):
 * running without the protection the operator asked for would go unnoticed until a
 * connection hangs.
 * @module
 */
import process from "node:process";
import { EX_CONFIG } from "./commands/exit.ts";
import { install } from "./install.ts";

try {
  install();
} catch (error) {
  process.stderr.write(`kahook: ${(error as Error).message}\n`);
  process.exit(EX_CONFIG);
}
