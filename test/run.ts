/**
 * Runs every test file under every runtime of the matrix, one process per file, and sums
 * uvu's totals. test/*.test.ts run everywhere; test/node-only/*.test.ts run under Node only, and
 * those of ONCE_UNDER_NODE under the first Node alone. A file that runs no test counts as failed.
 * Usage: run.js [runtime or file filter ...]   e.g. `npm test -- deno`, `npm test -- env`
 */
import { spawn } from "../src/host/spawn.ts";
import { existsSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import process from "node:process";
import { root } from "./_repo.ts";
import { RUNTIME_BINARIES } from "./_runtimes.ts";

interface Runtime {
  name: string;
  /** Absolute path of the binary. */
  binary: string;
  /** The Node runtimes run the compiled JavaScript in dist/. */
  compiled: boolean;
  args: string[];
  nodeOnlyTests: boolean;
  /** The Node that runs the suite, which alone runs ONCE_UNDER_NODE. */
  suiteNode?: true;
}

const FILE_TIMEOUT_MS = 5 * 60_000;
const onSystemNode = !("Deno" in globalThis) && !("Bun" in globalThis);

const runtimes: Runtime[] = [
  {
    name: `node${onSystemNode ? process.versions.node.split(".")[0] : ""}`,
    binary: onSystemNode ? process.execPath : "node",
    compiled: true,
    args: [],
    nodeOnlyTests: true,
    suiteNode: true,
  },
  { name: "node22", binary: RUNTIME_BINARIES.node22, compiled: true, args: [], nodeOnlyTests: true },
  { name: "node24", binary: RUNTIME_BINARIES.node24, compiled: true, args: [], nodeOnlyTests: true },
  { name: "node26", binary: RUNTIME_BINARIES.node26, compiled: true, args: [], nodeOnlyTests: true },
  { name: "bun", binary: RUNTIME_BINARIES.bun, compiled: false, args: [], nodeOnlyTests: false },
  {
    name: "deno",
    binary: RUNTIME_BINARIES.deno,
    compiled: false,
    args: ["run", "-A"],
    nodeOnlyTests: false,
  },
];

/**
 * Files whose subject is not the Node that runs them (the packed declarations under tsc, the
 * native library under other C libraries and architectures): run once, not again under each
 * Node of the matrix (about a minute each).
 */
const ONCE_UNDER_NODE = ["node-only/types.test.ts", "node-only/interposer-platforms.test.ts"];

function testFiles(dir: string): string[] {
  const full = join(root, "test", dir);
  if (!existsSync(full)) return [];
  return readdirSync(full)
    .filter((name) => name.endsWith(".test.ts"))
    .sort()
    .map((name) => join("test", dir, name));
}

interface Totals {
  passed: number;
  failed: number;
}

/** uvu's closing block: "Total: N", "Passed: N", "Skipped: N". */
function parseTotals(output: string): Totals | undefined {
  // deno-lint-ignore no-control-regex -- ANSI colour sequences are what is stripped
  const plain = output.replace(/\x1b\[[0-9;]*m/g, "");
  const count = (label: string) => Number(plain.match(new RegExp(`^\\s*${label}:\\s+(\\d+)`, "m"))?.[1] ?? NaN);
  const [total, passed, skipped] = [count("Total"), count("Passed"), count("Skipped")];
  if ([total, passed, skipped].some(Number.isNaN)) return undefined;
  // A skipped test is not a pass: count it as a failure.
  return { passed, failed: total - passed };
}

function runFile(runtime: Runtime, file: string): Promise<{ totals: Totals; output: string; seconds: number }> {
  const script = runtime.compiled ? join(root, "dist", file.replace(/\.ts$/, ".js")) : join(root, file);
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(runtime.binary, [...runtime.args, script], {
      cwd: root,
      env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    const timer = setTimeout(() => {
      output += `\n[run] ${file} took over ${FILE_TIMEOUT_MS / 1000} s: killed\n`;
      process.kill(-child.pid!, "SIGKILL");
    }, FILE_TIMEOUT_MS);
    const finish = (code: number | null, error?: Error) => {
      clearTimeout(timer);
      if (error) output += `\n[run] cannot start ${runtime.binary}: ${error.message}\n`;
      const parsed = parseTotals(output);
      const ranNone = parsed?.passed === 0 && parsed.failed === 0;
      if (ranNone) output += `\n[run] ${file} ran no test\n`;
      // A crash, a timeout, a missing summary or no test at all counts as one failure on top of what was counted.
      const totals = parsed && code === 0 && !ranNone
        ? parsed
        : { passed: parsed?.passed ?? 0, failed: (parsed?.failed ?? 0) || 1 };
      resolve({ totals, output, seconds: (performance.now() - started) / 1000 });
    };
    child.on("error", (error) => finish(null, error));
    child.on("close", (code) => finish(code));
  });
}

async function main(): Promise<void> {
  const filters = process.argv.slice(2);
  const selectedRuntimes = runtimes.filter((r) => filters.length === 0 || filters.includes(r.name));
  const fileFilters = filters.filter((f) => !runtimes.some((r) => r.name === f));
  const matches = (file: string) => fileFilters.length === 0 || fileFilters.some((f) => file.includes(f));
  const shared = testFiles("").filter(matches);
  const nodeOnly = testFiles("node-only").filter(matches);
  const missing = ONCE_UNDER_NODE.filter((name) => !existsSync(join(root, "test", name)));
  if (missing.length > 0) throw new Error(`test/run.ts: ONCE_UNDER_NODE names no such file: ${missing.join(", ")}`);
  const onceUnderNode = (file: string) => ONCE_UNDER_NODE.includes(relative("test", file));
  const width = Math.max(...[...shared, ...nodeOnly].map((file) => relative("test", file).length));
  const grand: Totals = { passed: 0, failed: 0 };
  const summary: string[] = [];
  for (const runtime of selectedRuntimes.length > 0 ? selectedRuntimes : runtimes) {
    const sum: Totals = { passed: 0, failed: 0 };
    const files = runtime.nodeOnlyTests
      ? [...shared, ...nodeOnly.filter((file) => runtime.suiteNode || !onceUnderNode(file))]
      : shared;
    for (const file of files) {
      const { totals, output, seconds } = await runFile(runtime, file);
      sum.passed += totals.passed;
      sum.failed += totals.failed;
      const name = relative("test", file);
      process.stdout.write(
        `${runtime.name.padEnd(7)} ${name.padEnd(width)} ${totals.passed} passed, ${totals.failed} failed (${
          seconds.toFixed(1)
        } s)\n`,
      );
      if (totals.failed > 0) process.stdout.write(output.replace(/^/gm, "    | ") + "\n");
    }
    summary.push(`${runtime.name}: ${sum.passed} passed, ${sum.failed} failed (${files.length} files)`);
    grand.passed += sum.passed;
    grand.failed += sum.failed;
  }
  process.stdout.write(`\n${summary.join("\n")}\n${grand.passed} passed, ${grand.failed} failed\n`);
  process.exitCode = grand.failed > 0 || grand.passed === 0 ? 1 : 0;
}

await main();
