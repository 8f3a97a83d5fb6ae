// Every code example of the README and of docs/*.md, run as written in a fresh project that
// installed kahook from its packed tarball. Shell lines run with bash; TypeScript blocks with Node
// 24, which strips types. Also: the pages' relative links resolve, their benchmark figures are
// those bench/report.ts makes of bench/results/results.json, and CONTRIBUTING.md's map from
// feature to test names every test file.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import process from "node:process";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { HEADLINE_MARKERS, type Markers, REPORT_MARKERS, reportTexts } from "../../bench/report.ts";
import { spawnSync } from "../../src/host/spawn.ts";
import { packedProject } from "../_packed.ts";
import { root } from "../_repo.ts";
import { cleanEnv } from "../_run.ts";
import { RUNTIME_BINARIES } from "../_runtimes.ts";

/** The pages whose examples run here: the README, then docs/ in order of name. Paths from the repository's root. */
const PAGES = [
  "README.md",
  ...readdirSync(join(root, "docs")).filter((name) => name.endsWith(".md")).sort().map((name) => `docs/${name}`),
];
/** Pages whose links are checked too; CONTRIBUTING.md's commands need a clone, so they do not run here. */
const LINKED = [...PAGES, "CONTRIBUTING.md"];

const read = (page: string) => readFileSync(join(root, page), "utf8");

interface Block {
  /** The page, from the repository's root: README.md, docs/cli.md, ... */
  page: string;
  lang: string;
  body: string;
  /** The page's line of the opening fence, from 1. */
  line: number;
  /** Marked on the page as not runnable: "*Fragment:*" or "*In a clone of this repository:*" on the line before. */
  exempt: boolean;
}

function pageBlocks(page: string): Block[] {
  const lines = read(page).split("\n");
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = lines[i].match(/^```(\w*)$/);
    if (!open) continue;
    const end = lines.indexOf("```", i + 1);
    const before = lines.slice(0, i).reverse().find((line) => line.trim() !== "") ?? "";
    blocks.push({
      page,
      lang: open[1],
      body: lines.slice(i + 1, end).join("\n"),
      line: i + 1,
      exempt: /^\*(Fragment|In a clone of this repository):\*/.test(before),
    });
    i = end;
  }
  return blocks;
}

/** The programs the shell examples start: each reports the options of a loopback client connection. */
const PROGRAM = `import net from "node:net";
import { getKeepAlive } from "kahook";

const server = net.createServer((socket) => socket.end());
server.listen(0, "127.0.0.1", () => {
  const client = net.connect(server.address().port, "127.0.0.1", () => {
    console.log(JSON.stringify(getKeepAlive(client)));
    client.destroy();
    server.close();
  });
});
`;

/** What a TypeScript example needs around it to show that it works; found by a line it contains. */
const TS_CHECKS: { contains: string; check: string; expect: RegExp }[] = [
  { contains: "install({ options", check: `await import("./example.ts"); console.log("ran");`, expect: /^ran$/m },
  {
    contains: "keepAliveConnector({",
    check: `import http from "node:http";
import { request } from "undici";
await import("./example.ts");
const server = http.createServer((_, response) => response.end("ok")).listen(0, "127.0.0.1");
await new Promise((resolve) => server.once("listening", resolve));
const response = await request(\`http://127.0.0.1:\${server.address().port}/\`);
console.log(response.statusCode, await response.body.text());
server.close();`,
    expect: /^200 ok$/m,
  },
  {
    contains: "net.connect(5432",
    // The example's peer: a loopback server on 5432 that ends each connection after a moment.
    check: `import net from "node:net";
const server = net.createServer((socket) => setTimeout(() => { socket.destroy(); server.close(); }, 200));
await new Promise((resolve, reject) => server.once("error", reject).listen(5432, "127.0.0.1", resolve));
await import("./example.ts");`,
    expect: /idle: 15000,\s+interval: 5000,\s+count: 4,\s+userTimeout: 35000/,
  },
  {
    contains: "instrumentations: [new KahookInstrumentation()]",
    // A client connection once kahook is installed, then a scrape of the example's /metrics, whose server starts in the background.
    check: `import net from "node:net";
import { install } from "kahook";
await import("./example.ts");
install({ options: { enable: true, idle: 30_000 } });
const server = net.createServer((socket) => socket.end()).listen(0, "127.0.0.1");
await new Promise((resolve) => server.once("listening", resolve));
const client = net.connect(server.address().port, "127.0.0.1");
await new Promise((resolve) => client.once("connect", resolve));
client.destroy();
server.close();
for (let attempt = 0; attempt < 50; attempt++) {
  const response = await fetch("http://127.0.0.1:9464/metrics").catch(() => undefined);
  if (response) console.log(await response.text());
  if (response) break;
  await new Promise((resolve) => setTimeout(resolve, 100));
}`,
    // The client, and the scrape's own connection once it succeeds.
    expect: /^kahook_sockets_configured_total\{kahook_direction="client",[^}]*\} [1-9]\d*$/m,
  },
  {
    contains: "diagnostics.subscribe(SOCKET_CHANNEL",
    check: `await import("./example.ts"); console.log("ran");`,
    expect: /^ran$/m,
  },
];

let project: ReturnType<typeof packedProject> | undefined;
let env: NodeJS.ProcessEnv;

test.before(() => {
  project = packedProject({ scripts: { start: "node server.js" } }, [
    "undici",
    "@opentelemetry/api",
    "@opentelemetry/instrumentation",
    "@opentelemetry/sdk-metrics",
    "@opentelemetry/exporter-prometheus",
  ]);
  for (const name of ["server.js", "server.ts", "app.js"]) writeFileSync(join(project.dir, name), PROGRAM);
  // `npm:kahook/register` resolves through package.json's version range, as after `npm install kahook`.
  const manifest = JSON.parse(readFileSync(join(project.dir, "package.json"), "utf8"));
  manifest.dependencies.kahook = "^0.1.0";
  writeFileSync(join(project.dir, "package.json"), JSON.stringify(manifest, null, 2));
  const bin = join(project.dir, "..", "bin");
  mkdirSync(bin);
  symlinkSync(RUNTIME_BINARIES.bun, join(bin, "bun"));
  symlinkSync(RUNTIME_BINARIES.deno, join(bin, "deno"));
  env = { ...cleanEnv(), PATH: `${bin}:${join(project.dir, "node_modules/.bin")}:${process.env.PATH}` };
});

test.after(() => project?.remove());

function run(command: string, args: string[]) {
  return spawnSync(command, args, { cwd: project!.dir, env, encoding: "utf8", timeout: 60_000 });
}

/** A shell block's commands: continuation lines joined, comments dropped. */
function commands(body: string): string[] {
  return body.replace(/\\\n/g, " ").split("\n").map((line) => line.replace(/\s+#\s.*$/, "").trim()).filter((line) =>
    line && !line.startsWith("#")
  );
}

const blocks = PAGES.flatMap(pageBlocks);
const runnable = (block: Block) => ["sh", "ts"].includes(block.lang) && !block.exempt;

test("every TypeScript and shell example of the README and docs/ is run here or marked as a fragment", () => {
  const unchecked = blocks.filter((block) =>
    block.lang === "ts" && !block.exempt && !TS_CHECKS.some(({ contains }) => block.body.includes(contains))
  );
  assert.equal(unchecked.map((block) => `${block.page} line ${block.line}`), []);
  assert.ok(
    blocks.filter((block) => block.page === "README.md" && runnable(block)).length >= 3,
    "the README's examples were found",
  );
  assert.ok(blocks.filter(runnable).length >= 6, "the examples of the README and docs/ were found");
});

for (const block of blocks.filter((block) => block.lang === "sh" && !block.exempt)) {
  for (const command of commands(block.body)) {
    test(`${block.page} line ${block.line}: ${command}`, () => {
      const result = run("bash", ["-c", command]);
      assert.is(result.status, 0, `exit ${result.status}: ${result.stderr}`);
      const report = result.stdout.split("\n").reverse().find((line) => line.startsWith("{"));
      assert.ok(report, `no report in ${JSON.stringify(result.stdout)}`);
      const idle = Number(command.match(/TCP_KEEPIDLE=(\d+)|--idle (\d+)/)?.slice(1).find(Boolean) ?? 15);
      const options = JSON.parse(report);
      assert.is(options.enable, true, report);
      assert.is(options.idle, idle * 1000, report);
    });
  }
}

for (const block of blocks.filter((block) => block.lang === "ts" && !block.exempt)) {
  const check = TS_CHECKS.find(({ contains }) => block.body.includes(contains));
  if (!check) continue;
  test(`${block.page} line ${block.line}: the example with ${check.contains}`, () => {
    writeFileSync(join(project!.dir, "example.ts"), block.body);
    writeFileSync(join(project!.dir, "check.ts"), check.check);
    const result = run(RUNTIME_BINARIES.node24, ["check.ts"]);
    assert.is(result.status, 0, `exit ${result.status}: ${result.stderr}`);
    assert.match(result.stdout, check.expect);
  });
}

test("the bunfig.toml form of the README or docs/ preloads into `bun server.ts`", () => {
  const preload = PAGES.map((page) => read(page).match(/in bunfig\.toml: (preload = \[.*\])/)?.[1]).find(Boolean);
  assert.ok(preload, "the README or a page of docs/ has a bunfig.toml preload line");
  writeFileSync(join(project!.dir, "bunfig.toml"), `${preload}\n`);
  try {
    const result = run("bash", ["-c", "TCP_KEEPIDLE=23 bun server.ts"]);
    assert.is(result.status, 0, result.stderr);
    assert.is(JSON.parse(result.stdout.trim().split("\n").pop()!).idle, 23_000, result.stdout);
  } finally {
    rmSync(join(project!.dir, "bunfig.toml"));
  }
});

test("the NODE_OPTIONS form of the README or docs/ works in a Node process started outside the project; the bare name does not", () => {
  const line = commands(blocks.map((block) => block.body).join("\n")).find((command) =>
    command.startsWith("NODE_OPTIONS=")
  );
  assert.ok(line, "the README or a page of docs/ has a NODE_OPTIONS line");
  const exported = line.replace(/ npm start$/, "");
  const elsewhere = (options: string) =>
    run("bash", ["-c", `export ${options}; cd / && node -e 'console.log("started")'`]);
  const safe = elsewhere(exported);
  assert.is(safe.status, 0, safe.stderr);
  assert.match(safe.stdout, /^started$/m);
  const bare = elsewhere(`NODE_OPTIONS="--require kahook/register"`);
  assert.is.not(bare.status, 0);
  assert.match(bare.stderr, /Cannot find module 'kahook\/register'/);
});

/** A heading's anchor as GitHub makes it: lower case, punctuation dropped, each space a hyphen. */
const slug = (heading: string) => heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, "").replace(/\s/g, "-");

/** A page's text without its code blocks. */
const withoutBlocks = (text: string) => text.replace(/^```\w*\n[\s\S]*?^```$/gm, "");
/** ... and without inline code: the text whose links are links. */
const prose = (text: string) => withoutBlocks(text).replace(/`[^`\n]*`/g, "");

/** The anchors of a page's headings, repeats numbered as GitHub numbers them. */
function anchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const found = new Set<string>();
  for (const [, heading] of withoutBlocks(text).matchAll(/^#{1,6} (.+)$/gm)) {
    const base = slug(heading);
    const repeats = seen.get(base) ?? 0;
    seen.set(base, repeats + 1);
    found.add(repeats ? `${base}-${repeats}` : base);
  }
  return found;
}

test("every relative link of the README, docs/ and CONTRIBUTING.md leads to a file, and to a heading of it", () => {
  const broken: string[] = [];
  for (const page of LINKED) {
    for (const [, target] of prose(read(page)).matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target)) continue;
      const [path, anchor] = target.split("#");
      const file = path ? join(dirname(page), path) : page;
      if (!existsSync(join(root, file))) broken.push(`${page}: ${target} (no file ${file})`);
      else if (anchor !== undefined && !anchors(read(file)).has(anchor)) {
        broken.push(`${page}: ${target} (no heading #${anchor} in ${file})`);
      }
    }
  }
  assert.equal(broken, []);
});

test("the README links every page of docs/ and CONTRIBUTING.md", () => {
  const linked = new Set(
    [...prose(read("README.md")).matchAll(/\]\(([^)#\s]+)(#[^)\s]*)?\)/g)].map((match) => match[1]),
  );
  assert.equal(LINKED.filter((page) => page !== "README.md" && !linked.has(page)), []);
});

/** The test files the runner runs, from the repository's root: test/*.test.ts and test/node-only/*.test.ts. */
const TEST_FILES = ["test", "test/node-only"].flatMap((dir) =>
  readdirSync(join(root, dir)).filter((name) => name.endsWith(".test.ts")).map((name) => `${dir}/${name}`)
);
const MAP_HEADING = "### Which test proves what";

/** The test files a page's map (the table under MAP_HEADING, to the next heading) leaves out, and those it names that are not test files. */
function mapMismatch(page: string): { missing: string[]; unknown: string[] } {
  const start = page.indexOf(MAP_HEADING);
  const section = start < 0 ? "" : page.slice(start + MAP_HEADING.length).split(/^#/m)[0];
  const rows = section.split("\n").filter((line) => line.startsWith("|"));
  const named = new Set(
    rows.flatMap((row) => [...row.matchAll(/`(test\/[^`]+\.test\.ts)`/g)].map((match) => match[1])),
  );
  return {
    missing: TEST_FILES.filter((file) => !named.has(file)),
    unknown: [...named].filter((file) => !TEST_FILES.includes(file)),
  };
}

test("CONTRIBUTING.md's map from feature to test names every test file, and no other", () => {
  assert.ok(TEST_FILES.length > 40, `the test files were found: ${TEST_FILES.length}`);
  assert.equal(mapMismatch(read("CONTRIBUTING.md")), { missing: [], unknown: [] });
});

test("the map check can fail: a row taken out, a file renamed", () => {
  const page = read("CONTRIBUTING.md");
  const row = page.split("\n").find((line) => line.startsWith("|") && line.includes("`test/roundtrip.test.ts`"));
  assert.ok(row, "the map has a row for test/roundtrip.test.ts");
  assert.equal(mapMismatch(page.replace(`${row}\n`, "")).missing, ["test/roundtrip.test.ts"]);
  const renamed = page.replace("`test/node-only/demo.test.ts`", "`test/node/demo.test.ts`");
  assert.equal(mapMismatch(renamed), { missing: ["test/node-only/demo.test.ts"], unknown: ["test/node/demo.test.ts"] });
});

test("the benchmark figures of the README and docs/benchmarks.md are those bench/report.ts makes of bench/results/results.json", () => {
  const results = JSON.parse(read("bench/results/results.json"));
  const texts = reportTexts(results, join(root, "bench/results"), {
    readme: join(root, "README.md"),
    page: join(root, "docs/benchmarks.md"),
  });
  const section = (text: string, { start, end }: Markers) => text.slice(text.indexOf(start), text.indexOf(end));
  assert.fixture(section(read("README.md"), HEADLINE_MARKERS), section(texts.readme, HEADLINE_MARKERS));
  assert.fixture(section(read("docs/benchmarks.md"), REPORT_MARKERS), section(texts.page, REPORT_MARKERS));
});

test.run();
