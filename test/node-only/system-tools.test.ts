/**
 * test/system-tools.sh, which npm install (for the build) and npm test run first: every tool it
 * lists is on this machine; a tool missing, it names it with its Debian package, prints the one
 * apt-get command that would install them all, and fails before any build or test. SYSTEM_TOOLS_HIDE
 * takes tools as missing here. It runs as a user that is not root: as root it would install them.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "../../src/host/spawn.ts";
import { root } from "../_repo.ts";
import { asNobody, handToNobody } from "../_user.ts";

const SCRIPT = join(root, "test/system-tools.sh");
/** A home and an npm cache the user may write. */
const home = mkdtempSync(join(tmpdir(), "kahook-tools-"));
handToNobody(home);

/** Runs as nobody when this test runs as root, who would install the missing tools. */
function runAsUser(program: string, programArgs: string[], hidden = "") {
  const { command, args } = asNobody(program, programArgs);
  return spawnSync(command, args, {
    cwd: root,
    env: { PATH: process.env.PATH, HOME: home, npm_config_cache: join(home, "npm-cache"), SYSTEM_TOOLS_HIDE: hidden },
    encoding: "utf8",
    timeout: 60_000,
  });
}

const lastLine = (text: string) => text.trimEnd().split("\n").pop();

test("every tool it lists is here: it exits 0 and prints nothing", () => {
  const result = runAsUser("sh", [SCRIPT]);
  assert.is(result.stderr, "");
  assert.is(result.stdout, "");
  assert.is(result.status, 0);
});

test("tools missing: each named with its Debian package and what needs it, then one apt-get command, each package once; exit 1", () => {
  const result = runAsUser("sh", [SCRIPT], "cc /usr/include/stdio.h /usr/lib/*-linux-gnu/libc.a nginx");
  assert.is(result.status, 1, result.stderr);
  assert.match(result.stderr, /^ {2}cc \(Debian package gcc\), for build, interposer, /m);
  assert.match(
    result.stderr,
    /^ {2}\/usr\/lib\/\*-linux-gnu\/libc\.a \(Debian package libc6-dev\), for node-only\/run-programs$/m,
  );
  assert.match(result.stderr, /^ {2}nginx \(Debian package nginx\), for node-only\/run-servers$/m);
  assert.is(lastLine(result.stderr), "Install them with: sudo apt-get install -y gcc libc6-dev nginx");
});

test("with a needer (build): only the tools it needs", () => {
  const result = runAsUser("sh", [SCRIPT, "build"], "cc nginx");
  assert.is(result.status, 1, result.stderr);
  assert.not.match(result.stderr, /nginx/);
  assert.is(lastLine(result.stderr), "Install them with: sudo apt-get install -y gcc");
  assert.is(runAsUser("sh", [SCRIPT, "build"], "nginx").status, 0);
});

test("npm test's and npm install's first steps (pretest, prepare) stop at a missing tool, before the build", () => {
  for (const [script, hidden, install] of [["pretest", "nginx", "nginx"], ["prepare", "cc", "gcc"]]) {
    const result = runAsUser("npm", ["run", script], hidden);
    assert.is.not(result.status, 0, script);
    assert.match(result.stderr, `Install them with: sudo apt-get install -y ${install}\n`, script);
    assert.not.match(result.stdout, "> kahook@0.1.0 build", script);
  }
});

test("what needs each tool is the build, npm start, the bench or a test file that exists", () => {
  const list = readFileSync(SCRIPT, "utf8").match(/^TOOLS='\n([^']*)'$/m)?.[1];
  assert.ok(list, "no TOOLS list in the script");
  const needers = new Set(list.trim().split("\n").flatMap((line) => line.split(/\s+/)[2].split(",")));
  const unknown = [...needers].filter((name) =>
    !["build", "start", "bench"].includes(name) && !existsSync(join(root, "test", `${name}.test.ts`))
  );
  assert.equal(unknown, []);
});

test.after(() => rmSync(home, { recursive: true, force: true }));

test.run();
