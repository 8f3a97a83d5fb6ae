/**
 * kahook's type declarations as a TypeScript 5 user gets them: a consumer file, typechecked with
 * tsc 5 (the repository's devDependency typescript5) against kahook installed from its packed
 * tarball, under moduleResolution nodenext and bundler; without undici installed (kahook/undici's
 * types must not need it) and with it (the connector must fit undici's Agent); with OpenTelemetry
 * installed, KahookInstrumentation must be what registerInstrumentations() takes.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "../../src/host/spawn.ts";
import { type PackedProject, packedProject } from "../_packed.ts";
import { root } from "../_repo.ts";

const TSC5 = join(root, "node_modules/typescript5/bin/tsc");

const CONSUMER = `import net from "node:net";
import { getKeepAlive, install, KahookError, setKeepAlive, type KeepAliveOptions, type KeepAliveState } from "kahook";
import { keepAliveConnector, type ConnectorConfig } from "kahook/undici";
import "kahook/register";

const options: KeepAliveOptions = { enable: true, idle: 30_000, interval: 10_000, count: 3 };
const socket = net.connect(5432, "127.0.0.1");
setKeepAlive(socket, options);
const state: KeepAliveState = getKeepAlive(socket);
const installed: boolean = install();
const config: ConnectorConfig = { options, connect: { timeout: 10_000 } };
const connector = keepAliveConnector(config);
export { connector, installed, KahookError, state };
`;

const WITH_UNDICI = `import { Agent } from "undici";
import { keepAliveConnector } from "kahook/undici";
export const agent = new Agent({ connect: keepAliveConnector({ options: { enable: true, idle: 30_000 } }) });
`;

const WITH_OTEL = `import { registerInstrumentations } from "@opentelemetry/instrumentation";
import { MeterProvider } from "@opentelemetry/sdk-metrics";
import { KahookInstrumentation } from "kahook/otel";
export const unregister = registerInstrumentations({
  meterProvider: new MeterProvider(),
  instrumentations: [new KahookInstrumentation({ enabled: true })],
});
`;

/** Typechecks the files in the project, once per module resolution; returns tsc's output where it failed. */
function typecheck(project: PackedProject, files: Record<string, string>): string[] {
  for (const [name, text] of Object.entries(files)) writeFileSync(join(project.dir, name), text);
  return (["nodenext", "bundler"] as const).flatMap((resolution) => {
    const compilerOptions = {
      strict: true,
      noEmit: true,
      target: "es2022",
      module: resolution === "nodenext" ? "nodenext" : "esnext",
      moduleResolution: resolution,
      types: ["node"],
    };
    const config = `tsconfig.${resolution}.json`;
    writeFileSync(join(project.dir, config), JSON.stringify({ compilerOptions, files: Object.keys(files) }));
    const result = spawnSync(process.execPath, [TSC5, "-p", config], {
      cwd: project.dir,
      encoding: "utf8",
      timeout: 120_000,
    });
    return result.status === 0 ? [] : [`${resolution}: ${result.stdout}${result.stderr}`];
  });
}

/** Two fresh projects, packed once for the file: one without undici and OpenTelemetry, one with them. */
const withoutUndici = packedProject({}, ["@types/node"]);
const withUndici = packedProject({}, [
  "undici",
  "@types/node",
  "@opentelemetry/api",
  "@opentelemetry/instrumentation",
  "@opentelemetry/sdk-metrics",
]);

test("TypeScript 5, nodenext and bundler: a consumer of kahook, kahook/register and kahook/undici typechecks without undici installed", () => {
  assert.equal(typecheck(withoutUndici, { "consumer.ts": CONSUMER }), []);
});

test("TypeScript 5, nodenext and bundler: keepAliveConnector() is what undici's Agent({ connect }) takes", () => {
  assert.equal(typecheck(withUndici, { "consumer.ts": CONSUMER, "agent.ts": WITH_UNDICI }), []);
});

test("TypeScript 5, nodenext and bundler: KahookInstrumentation is what registerInstrumentations() takes", () => {
  assert.equal(typecheck(withUndici, { "consumer.ts": CONSUMER, "otel.ts": WITH_OTEL }), []);
});

test("the check can fail: a consumer passing a string as idle is refused", () => {
  const wrong =
    `import { setKeepAlive } from "kahook";\nimport net from "node:net";\nsetKeepAlive(new net.Socket(), { idle: "30s" });\n`;
  const failures = typecheck(withoutUndici, { "wrong.ts": wrong });
  assert.is(failures.length, 2, "both resolutions refuse it");
  assert.match(failures[0], /TS2322/);
});

test.after(() => {
  withoutUndici.remove();
  withUndici.remove();
});

test.run();
