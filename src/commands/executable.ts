/**
 * Whether the dynamic loader will preload the interposer into a program, and whether it will
 * do anything there: what `kahook run` checks before it starts a COMMAND under LD_PRELOAD, so
 * that a program the interposer cannot enter, or would keep from starting, is named and run
 * unconfigured instead.
 * @module
 */
import { existsSync, realpathSync, statSync } from "node:fs";
import { basename, delimiter, dirname, join } from "node:path";
import process from "node:process";
import { type Elf, elf, ElfError, interpreter, readAt, sections, versionsDefined, versionsNeeded } from "../sys/elf.ts";

/** <sys/stat.h> mode bits. */
const S_ISUID = 0o4000;
const S_ISGID = 0o2000;
/** The names (PT_INTERP's last part) of glibc's and musl's dynamic loaders, by Node's process.arch. */
const LOADERS: Record<string, { glibc: string; musl: string }> = {
  x64: { glibc: "ld-linux-x86-64.so.2", musl: "ld-musl-x86_64.so.1" },
  arm64: { glibc: "ld-linux-aarch64.so.1", musl: "ld-musl-aarch64.so.1" },
};
/** Sections only Go's linker writes: the build information and the build ID note. */
const GO_SECTIONS = [".go.buildinfo", ".note.go.buildid"];

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

/**
 * Why `kahook run` must not preload `library` (libkahook.so) into `command`, or undefined when it
 * may: not found (left to the spawn to report), another architecture, a Go program (whose
 * sockets never pass through libc), a static executable, set-user-ID or set-group-ID for
 * someone else (the loader then ignores LD_PRELOAD), a loader neither glibc's nor musl's, or a
 * glibc older than the library needs (the loader would stop the program). A musl program takes
 * the library as it is: musl ignores symbol versions. A script is judged by its #! interpreter.
 */
export function preloadObstacle(
  command: string,
  library: string,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  const found = obstacle(command, library, env, 0);
  return found && `${found.file} ${found.reason}`;
}

/** The obstacle, as the file it concerns and what keeps it from the library. */
function obstacle(
  command: string,
  library: string,
  env: NodeJS.ProcessEnv,
  depth: number,
): { file: string; reason: string } | undefined {
  const file = findExecutable(command, env.PATH);
  if (!file) return undefined;
  try {
    // Enough for a #! line and the ELF header.
    const start = readAt(file, 256);
    if (start.toString("latin1", 0, 2) === "#!" && depth < 4) {
      const [program, argument] = start.toString("latin1", 2).split("\n")[0].trim().split(/\s+/);
      const interpreterCommand = program.endsWith("/env") && argument ? argument : program;
      const inner = obstacle(interpreterCommand, library, env, depth + 1);
      return inner && { file, reason: `runs ${interpreterCommand}, which ${inner.reason}` };
    }
    const program = elf(file, start);
    const reason = "problem" in program ? program.problem : programObstacle(program, library, env);
    return reason === undefined ? undefined : { file, reason };
  } catch (error) {
    if (error instanceof ElfError) return { file, reason: `cannot be checked: ${error.message}` };
    throw error;
  }
}

/** What keeps an ELF program of this machine from the library, or undefined. */
function programObstacle(program: Elf, library: string, env: NodeJS.ProcessEnv): string | undefined {
  if (sections(program).some(({ name }) => GO_SECTIONS.includes(name))) {
    return "is a Go program: Go makes its socket system calls itself, not through libc, where the interposer is";
  }
  const loader = interpreter(program);
  if (loader === "") return "is a static executable: the dynamic loader, which LD_PRELOAD needs, never runs";
  const stat = statSync(program.file);
  const setuid = (stat.mode & S_ISUID) !== 0 && stat.uid !== process.getuid?.();
  const setgid = (stat.mode & S_ISGID) !== 0 && stat.gid !== process.getgid?.();
  if (setuid || setgid) return `is set-${setuid ? "user" : "group"}-ID: the loader ignores LD_PRELOAD for it`;
  const known = LOADERS[process.arch];
  if (basename(loader) === known.musl) return undefined;
  if (basename(loader) !== known.glibc) {
    return `names a dynamic loader kahook does not know, ${loader}: neither glibc's (${known.glibc}) nor musl's (${known.musl})`;
  }
  return missingVersions(loader, library, env);
}

/**
 * For a glibc program: the symbol versions the library needs (GLIBC_2.16 of libc.so.6, ...) that
 * the program's copies of those libraries lack, named, or undefined. The loader stops a program
 * whose preloaded library needs a version that is missing. The copies are looked for where the
 * loader looks first, in LD_LIBRARY_PATH's directories, then beside the program's loader (its
 * symlinks resolved), where glibc installs its libraries. Not covered: the program's own
 * DT_RUNPATH or DT_RPATH, the directories of /etc/ld.so.conf (through ld.so.cache), the
 * glibc-hwcaps subdirectories, and $ORIGIN-like tokens in LD_LIBRARY_PATH; a library found in
 * none of the places looked at is taken to be new enough.
 */
function missingVersions(loader: string, library: string, env: NodeJS.ProcessEnv): string | undefined {
  const directories = [
    ...(env.LD_LIBRARY_PATH ?? "").split(":").filter(Boolean),
    ...(existsSync(loader) ? [dirname(realpathSync(loader))] : []),
  ];
  const shipped = elf(library);
  if ("problem" in shipped) throw new ElfError(`${library} ${shipped.problem}`);
  for (const [name, needed] of versionsNeeded(shipped)) {
    // The first of this machine's architecture: the loader passes over the others.
    const copy = directories
      .map((directory) => join(directory, name))
      .filter((candidate) => existsSync(candidate))
      .map((candidate) => elf(candidate))
      .find((candidate): candidate is Elf => !("problem" in candidate));
    if (!copy) continue;
    // No version definitions at all: the loader takes every version as defined.
    const defined = versionsDefined(copy) ?? needed;
    const missing = needed.filter((version) => !defined.includes(version)).join(", ");
    if (missing) {
      return `loads ${copy.file}, which defines no ${missing}, needed by ${library}: the loader would stop it`;
    }
  }
  return undefined;
}
