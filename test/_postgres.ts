/**
 * A real PostgreSQL server on loopback (test/_servers.ts), for the tests of the drivers that talk
 * to it (Bun.sql): Debian's postgresql, its cluster made by initdb in the server's temporary
 * directory.
 * @module
 */
import { Buffer } from "node:buffer";
import { chownSync, existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { exchange, findCommand, HOST, type RunningServer, runToEnd, serve } from "./_servers.ts";

/** Where Debian's postgresql-NN packages put initdb and postgres. */
const POSTGRES_ROOT = "/usr/lib/postgresql";

/** Debian's PostgreSQL binaries, newest major version first; throws naming the package when none is installed. */
export function findPostgres(root = POSTGRES_ROOT): { initdb: string; postgres: string } {
  const versions = existsSync(root)
    ? readdirSync(root).filter((name) => /^\d+$/.test(name)).sort((a, b) => Number(b) - Number(a))
    : [];
  for (const version of versions) {
    const bin = join(root, version, "bin");
    const [initdb, postgres] = [join(bin, "initdb"), join(bin, "postgres")];
    if (existsSync(initdb) && existsSync(postgres)) return { initdb, postgres };
  }
  throw new Error(
    `PostgreSQL is not installed (no ${root}/*/bin/initdb and postgres): install the Debian package postgresql (apt-get install postgresql)`,
  );
}

/**
 * Starts PostgreSQL: initdb with trust authentication and superuser `postgres` in a fresh
 * temporary directory, then postgres on HOST and a free port, its unix socket in that directory.
 * PostgreSQL refuses to run as root, so as root both run as the `postgres` user the Debian
 * package creates, through setpriv, which execs: the pid spawned is the postmaster's own.
 * (runuser would stay in between as the parent and not pass every signal on.)
 */
export async function startPostgres(): Promise<RunningServer> {
  const started = performance.now();
  const { initdb, postgres } = findPostgres();
  const user = process.getuid?.() === 0 ? systemUser("postgres", "postgresql") : undefined;
  const prefix = user
    ? [findCommand("setpriv", "util-linux"), `--reuid=${user.uid}`, `--regid=${user.gid}`, "--clear-groups", "--"]
    : [];
  const command = (program: string, args: string[]) =>
    prefix.length > 0 ? { binary: prefix[0], args: [...prefix.slice(1), program, ...args] } : { binary: program, args };
  const settings = ["listen_addresses=127.0.0.1", "fsync=off", "synchronous_commit=off", "full_page_writes=off"];
  return await serve({
    name: "postgres",
    started,
    prepare: async (dir) => {
      if (user) chownSync(dir, user.uid, user.gid);
      // --no-sync: a test's database need not survive a crash.
      const setup = command(initdb, [
        "-D",
        join(dir, "data"),
        "-A",
        "trust",
        "-U",
        "postgres",
        "-E",
        "UTF8",
        "--locale=C",
        "--no-sync",
        "--no-instructions",
      ]);
      await runToEnd("initdb", setup.binary, setup.args, dir, started);
    },
    command: (port, dir) =>
      command(postgres, [
        "-D",
        join(dir, "data"),
        "-k",
        dir,
        "-p",
        String(port),
        ...settings.flatMap((setting) => ["-c", setting]),
      ]),
    url: (port) => `postgres://postgres@${HOST}:${port}/postgres`,
    ready: postgresReady,
    // SIGINT is PostgreSQL's fast shutdown: it ends the sessions. SIGTERM (smart) waits for every
    // client to leave, and a session whose client vanished never does.
    stopSignal: "SIGINT",
  });
}

/** PostgreSQL's StartupMessage (protocol 3.0) for a user and database. */
function startupMessage(user: string, database: string): Buffer {
  const body = Buffer.from(`user\0${user}\0database\0${database}\0\0`, "latin1");
  const head = Buffer.alloc(8);
  head.writeInt32BE(head.length + body.length, 0);
  head.writeInt32BE(3 << 16, 4);
  return Buffer.concat([head, body]);
}

/** The type bytes of the complete backend messages in received: each is a type byte and an int32 length that counts itself. */
function messageTypes(received: Buffer): string[] {
  const types: string[] = [];
  for (let at = 0; at + 5 <= received.length;) {
    const end = at + 1 + received.readInt32BE(at + 1);
    if (end > received.length) break;
    types.push(String.fromCharCode(received[at]));
    at = end;
  }
  return types;
}

/**
 * Ready once a session starts: the listening socket opens before the server can take sessions
 * (during start-up a session is refused with ErrorResponse 'E'), so a connect is not enough.
 * Trust authentication: AuthenticationOk, then ReadyForQuery 'Z'. Ends with Terminate 'X'.
 */
async function postgresReady(port: number): Promise<boolean> {
  const answer = await exchange(
    port,
    startupMessage("postgres", "postgres"),
    (received) => messageTypes(received).some((type) => type === "Z" || type === "E"),
    {
      farewell: Buffer.from([0x58, 0, 0, 0, 4]),
    },
  );
  return messageTypes(answer).includes("Z");
}

/** The uid and gid of a system user, from /etc/passwd; throws naming the package that creates it. */
function systemUser(name: string, debianPackage: string): { uid: number; gid: number } {
  const line = readFileSync("/etc/passwd", "utf8").split("\n").find((entry) => entry.startsWith(`${name}:`));
  if (!line) {
    throw new Error(
      `no user ${name} to run the server as: install the Debian package ${debianPackage} (apt-get install ${debianPackage})`,
    );
  }
  const [, , uid, gid] = line.split(":");
  return { uid: Number(uid), gid: Number(gid) };
}
