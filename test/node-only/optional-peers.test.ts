/**
 * kahook without its optional peers, as a user's project has it from the packed tarball with
 * neither OpenTelemetry nor undici installed: the preload, in each of Node's forms, and `kahook`
 * load, configure the program's sockets and count them, and `kahook/otel` loads too, as it
 * imports nothing of OpenTelemetry at run time.
 */
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "../../src/host/spawn.ts";
import { packedProject } from "../_packed.ts";
import { cleanEnv, PRELOAD_FLAGS } from "../_run.ts";

const PROGRAM = `import net from "node:net";
import { stats } from "kahook";
import { KahookInstrumentation } from "kahook/otel";

const server = net.createServer((socket) => socket.end());
server.listen(0, "127.0.0.1", () => {
  const client = net.connect(server.address().port, "127.0.0.1", () => {
    const { clients, listeners } = stats();
    console.log(JSON.stringify({ clients, listeners, meter: new KahookInstrumentation().instrumentationName }));
    client.destroy();
    server.close();
  });
});
`;

let project: ReturnType<typeof packedProject> | undefined;

test.before(() => {
  project = packedProject({}, []);
  writeFileSync(join(project.dir, "program.js"), PROGRAM);
});
test.after(() => project?.remove());

function runNode(args: string[]) {
  return spawnSync(process.execPath, args, { cwd: project!.dir, env: cleanEnv(), encoding: "utf8", timeout: 30_000 });
}

test("the project has no OpenTelemetry package and no undici", () => {
  assert.not.ok(existsSync(join(project!.dir, "node_modules/@opentelemetry")));
  assert.not.ok(existsSync(join(project!.dir, "node_modules/undici")));
  assert.ok(existsSync(join(project!.dir, "node_modules/kahook/dist/src/otel.js")));
});

for (const flag of PRELOAD_FLAGS) {
  test(`node ${flag} kahook/register: the preload, kahook and kahook/otel load and the sockets are counted`, () => {
    const result = runNode([flag, "kahook/register", "program.js"]);
    assert.is(result.status, 0, result.stderr);
    assert.equal(JSON.parse(result.stdout), { clients: 1, listeners: 1, meter: "kahook" });
  });
}

test("the check can fail: importing @opentelemetry/api there fails", () => {
  const result = runNode(["--input-type=module", "-e", `await import("@opentelemetry/api");`]);
  assert.is.not(result.status, 0);
  assert.match(result.stderr, /ERR_MODULE_NOT_FOUND/);
});

test.run();
