import { host } from "./host.ts";

/** One "kahook: ..." line on stderr, written at once, so lines are whole and ordered even if the program exits next. */
export function reportLine(line: string): void {
  try {
    host.writeStderr(`kahook: ${line}\n`);
  } catch {
    // stderr closed: debugging output is lost, the program goes on.
  }
}
