/**
 * Whether the dynamic loader will preload a library into a program: what `kahook run` checks
 * before it starts a COMMAND under LD_PRELOAD, so that a program the interposer cannot enter is
 * said to be unconfigured instead of running so silently.
 * @module
 */
import { closeSync, constants, openSync, readSync, statSync } from "node:fs";
import { delimiter, join } from "node:path";
import process from "node:process";

// <elf.h>: the fields read here, for 64-bit little-endian objects (x86_64, aarch64).
const ELF_MAGIC = "\x7fELF";
const ELFCLASS64 = 2;
const PT_INTERP = 3;
const HEADER_BYTES = 64;
const PROGRAM_HEADER_BYTES = 56;
/** <sys/stat.h> mode bits. */
const S_ISUID = 0o4000;
const S_ISGID = 0o2000;
/** e_machine of the architectures the library is built for, by Node's process.arch. */
const MACHINES: Record<string, number> = { x64: 62, arm64: 183 };

/** COMMAND's file: itself when it holds a slash, else the first executable of that name on PATH. */
export function findExecutable(command: string, path = process.env.PATH ?? ""): string | undefined {
  const candidates = command.includes("/")
    ? [command]
    : path.split(delimiter).filter(Boolean).map((dir) => join(dir, command));
  return candidates.find((file) => {
    try {
      const stat = statSync(file);
      return stat.isFile() && (stat.mode & 0o111) !== 0;
    } catch {
      return false;
    }
  });
}

function readStart(file: string, bytes: number, at = 0): Buffer {
  const fd = openSync(file, constants.O_RDONLY);
  try {
    const buffer = Buffer.alloc(bytes);
    return buffer.subarray(0, readSync(fd, buffer, 0, bytes, at));
  } finally {
    closeSync(fd);
  }
}

/**
 * The ELF program's interpreter (its PT_INTERP), "" for a static one, or why it is not an ELF
 * program for this machine; `header` is the file's start, already read.
 */
function interpreter(file: string, header: Buffer): { interp: string } | { problem: string } {
  if (header.length < HEADER_BYTES || header.toString("latin1", 0, 4) !== ELF_MAGIC) {
    return { problem: "is not an ELF executable" };
  }
  if (header[4] !== ELFCLASS64 || header.readUInt16LE(18) !== MACHINES[process.arch]) {
    return { problem: `is built for another architecture than this ${process.arch} machine` };
  }
  const [table, size, count] = [Number(header.readBigUInt64LE(32)), header.readUInt16LE(54), header.readUInt16LE(56)];
  const headers = readStart(file, size * count, table);
  for (let i = 0; i < count && (i + 1) * size <= headers.length && size >= PROGRAM_HEADER_BYTES; i++) {
    if (headers.readUInt32LE(i * size) !== PT_INTERP) continue;
    const [offset, length] = [
      Number(headers.readBigUInt64LE(i * size + 8)),
      Number(headers.readBigUInt64LE(i * size + 32)),
    ];
    return { interp: readStart(file, length, offset).toString("latin1").replace(/\0.*$/s, "") };
  }
  return { interp: "" };
}

/**
 * Why LD_PRELOAD will not bring the library into `command`, or undefined when it will: not
 * found (left to the spawn to report), a static executable, a musl one (the library is built
 * against glibc), another architecture, or set-user-ID or set-group-ID for someone else (the
 * loader then ignores LD_PRELOAD). A script is judged by its #! interpreter.
 */
export function preloadObstacle(command: string, env: NodeJS.ProcessEnv = process.env, depth = 0): string | undefined {
  const file = findExecutable(command, env.PATH);
  if (!file) return undefined;
  // Enough for a #! line and the ELF header.
  const start = readStart(file, 256);
  if (start.toString("latin1", 0, 2) === "#!" && depth < 4) {
    const [program, argument] = start.toString("latin1", 2).split("\n")[0].trim().split(/\s+/);
    const interpreterCommand = program.endsWith("/env") && argument ? argument : program;
    const obstacle = preloadObstacle(interpreterCommand, env, depth + 1);
    return obstacle && `${command} runs ${interpreterCommand}, which ${obstacle.replace(/^\S+ /, "")}`;
  }
  const stat = statSync(file);
  const elf = interpreter(file, start);
  if ("problem" in elf) return `${file} ${elf.problem}`;
  if (elf.interp === "") {
    return `${file} is a static executable: the dynamic loader, which LD_PRELOAD needs, never runs`;
  }
  if (elf.interp.includes("musl")) {
    return `${file} uses musl's loader (${elf.interp}); the interposer is built for glibc`;
  }
  const setuid = (stat.mode & S_ISUID) !== 0 && stat.uid !== process.getuid?.();
  const setgid = (stat.mode & S_ISGID) !== 0 && stat.gid !== process.getgid?.();
  if (setuid || setgid) return `${file} is set-${setuid ? "user" : "group"}-ID: the loader ignores LD_PRELOAD for it`;
  return undefined;
}
