/**
 * The interposer's figures in another process, read without stopping or signalling it: the
 * library is found among the files the process maps, `kahook_figures` in the library's
 * dynamic symbol table, and the figures in the process's memory (process_vm_readv).
 * @module
 */
import { basename } from "node:path";
import { loadLibc } from "../runtimes/libc.ts";
import { ElfError } from "../sys/elf.ts";
import {
  decodeFigures,
  FIGURE_COUNT,
  type Figures,
  FIGURES_MAGIC,
  FIGURES_SYMBOL,
  MAX_SETS,
  type SetFigures,
} from "../abi/figures.ts";
import { LIBRARY_FILES } from "../interposer/index.ts";
import { readMemory } from "./memory.ts";
import { mappedFiles } from "./proc.ts";
import { exportedSymbol } from "./symbol.ts";

/** The interposer's files: kahook.node, which the preload loads, and libkahook.so, which `kahook run` preloads. */
const LIBRARIES: readonly string[] = Object.values(LIBRARY_FILES);
/** FIGURES_SYMBOL's magic, 16 bytes before the FIGURE_COUNT int64 figures. */
const MAGIC_BYTES = 16;
/** sizeof(int64_t). */
const FIGURE_BYTES = 8;

/** One setting set's figures, with its number and name: "listeners" (0), "clients" (1), "rule N" (1 + N). */
export interface NamedSet extends SetFigures {
  set: number;
  name: string;
}

/** The figures of one library the process maps; the setting sets are those that counted anything. */
export interface LibraryFigures {
  /** The library's path, as the process maps it. */
  library: string;
  figures?: Omit<Figures, "sets"> & { sets: NamedSet[] };
  /** Why the figures could not be read: a library of another kahook version, one that cannot be read. */
  problem?: string;
}

const setName = (set: number) => (set === 0 ? "listeners" : set === 1 ? "clients" : `rule ${set - 1}`);

/**
 * The figures of every kahook library process pid maps: none for a process that runs no
 * kahook, or only its JavaScript hooks. The process's memory does not say how many setting
 * sets its configuration has: the sets shown are those with a figure other than 0.
 */
export function processFigures(pid: number): LibraryFigures[] {
  return [...mappedFiles(pid)]
    .filter(([path]) => LIBRARIES.includes(basename(path)))
    .map(([library, loadedAt]) => libraryFigures(pid, library, loadedAt));
}

/** The figures of the library mapped from loadedAt on. */
function libraryFigures(pid: number, library: string, loadedAt: bigint): LibraryFigures {
  let offset;
  try {
    // The file as the process sees it, in its own mount namespace.
    offset = exportedSymbol(`/proc/${pid}/root${library}`, FIGURES_SYMBOL);
  } catch (error) {
    if (error instanceof ElfError) return { library, problem: error.message };
    throw error;
  }
  if (offset === undefined) return { library, problem: `it exports no ${FIGURES_SYMBOL}: a kahook without figures` };
  // A shared object's first page is its load address: its symbols' values are offsets from there.
  const bytes = readMemory(loadLibc(), pid, loadedAt + offset, MAGIC_BYTES + FIGURE_COUNT * FIGURE_BYTES);
  const magic = new TextDecoder("latin1").decode(bytes.subarray(0, MAGIC_BYTES));
  if (magic !== FIGURES_MAGIC) {
    return { library, problem: `its figures are laid out as ${JSON.stringify(magic)}, not ${FIGURES_MAGIC}` };
  }
  const { sets, ...figures } = decodeFigures(new BigInt64Array(bytes.buffer, MAGIC_BYTES, FIGURE_COUNT), MAX_SETS);
  const counted = sets.map((set, index) => ({ set: index, name: setName(index), ...set }))
    .filter(({ configured, failed, dead }) => configured || failed || Object.values(dead).some(Boolean));
  return { library, figures: { ...figures, sets: counted } };
}
