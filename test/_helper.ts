import { extname } from "node:path";
import { fileURLToPath } from "node:url";

/** The path of a test/ helper program beside this file: .js under Node (dist/test/), .ts elsewhere. */
export function helperProgram(name: string): string {
  return fileURLToPath(new URL(`./${name}${extname(fileURLToPath(import.meta.url))}`, import.meta.url));
}
