// Unix-domain sockets, pipes and child_process IPC, none of which is TCP; prints what each
// carried. Under the preload the forked child is preloaded too (it inherits execArgv).
import { fork, spawn } from "../../src/runtimes/spawn.ts";
import { once } from "node:events";
import { mkdtempSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";

if (process.argv[2] === "child") {
  process.once("message", (message) => process.send!(`${message} back`, () => process.disconnect()));
} else {
  const path = join(mkdtempSync(join(tmpdir(), "kahook-unix-")), "socket");
  const server = net.createServer((socket) => socket.end("unix ok"));
  server.listen(path);
  await once(server, "listening");
  let unix = "";
  for await (const chunk of net.connect(path)) unix += chunk;
  server.close();

  const cat = spawn("cat", [], { stdio: ["pipe", "pipe", "inherit"] });
  cat.stdin.end("pipe ok");
  let pipe = "";
  for await (const chunk of cat.stdout) pipe += chunk;

  const child = fork(new URL(import.meta.url), ["child"]);
  child.send("ipc");
  const [ipc] = await once(child, "message");
  await once(child, "exit");

  console.log(JSON.stringify({ unix, pipe, ipc }));
}
