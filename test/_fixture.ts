import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { spawn } from "../src/host/spawn.ts";
import process from "node:process";
import { createInterface } from "node:readline";
import { here, NO_PRELOAD } from "./_run.ts";

/** Generous: a fixture starts in well under a second. */
const LINE_TIMEOUT_MS = 20_000;

/** A fixture running in this same runtime, talked to in JSON lines over stdin and stdout. */
export interface Child {
  pid: number;
  /** The next line the child prints, parsed. */
  // deno-lint-ignore no-explicit-any -- a fixture's JSON line, which each test checks field by field
  next(): Promise<any>;
  /** Sends one line and returns the reply line. */
  // deno-lint-ignore no-explicit-any -- as next()
  ask(line: string): Promise<any>;
  /** Closes its stdin and waits for it to exit; kills it if it does not. */
  stop(): Promise<void>;
}

/**
 * Starts test/NAME (a fixture, such as fixtures/remote/holder) in this runtime, with the runtime
 * arguments given before the script (a preload; Deno's include `run`) and variables added to the
 * environment.
 */
export function startChild(
  name: string,
  args: readonly string[] = NO_PRELOAD,
  env: Record<string, string> = {},
): Child {
  return startCommand(name, [process.execPath, ...args, here(name)], env);
}

/** Starts any command as a fixture talked to in JSON lines; `name` labels its errors. */
export function startCommand(
  name: string,
  [binary, ...args]: readonly string[],
  env: Record<string, string> = {},
): Child {
  const child: ChildProcessWithoutNullStreams = spawn(binary!, args, {
    env: { ...process.env, ...env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk) => (stderr += chunk));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${name}: no line within ${LINE_TIMEOUT_MS} ms; stderr: ${stderr}`)),
        LINE_TIMEOUT_MS,
      );
    });
    try {
      const { value, done } = await Promise.race([lines.next(), timeout]);
      if (done) throw new Error(`${name} exited: ${stderr}`);
      return JSON.parse(value);
    } finally {
      clearTimeout(timer);
    }
  };
  return {
    pid: child.pid!,
    next,
    ask(line) {
      child.stdin.write(`${line}\n`);
      return next();
    },
    async stop() {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.stdin.end();
      const timer = setTimeout(() => child.kill("SIGKILL"), LINE_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Runs use with test/fixtures/remote/holder started and its ready line read; stops it afterwards. */
export async function withHolder(use: (child: Child, ready: string[]) => void | Promise<void>): Promise<void> {
  const child = startChild("fixtures/remote/holder");
  try {
    const { ready } = await child.next();
    await use(child, ready);
  } finally {
    await child.stop();
  }
}
