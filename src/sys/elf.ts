/**
 * The little of ELF that `kahook run` reads before it preloads the interposer into a program:
 * the header, the interpreter (PT_INTERP), the section names, and the symbol versions a shared
 * object needs (.gnu.version_r) and defines (.gnu.version_d); `kahook inspect` reads a library's
 * dynamic symbol table with it too (remote/symbol.ts). 64-bit little-endian objects of
 * this machine's architecture only (x86_64, aarch64), read piece by piece, as a program may be
 * hundreds of megabytes.
 * @module
 */
import { closeSync, constants, openSync, readSync } from "node:fs";
import process from "node:process";

// <elf.h>: the constants and the offsets of the fields read here, for 64-bit objects.
const ELF_MAGIC = "\x7fELF";
const ELFCLASS64 = 2;
const PT_INTERP = 3;
const SHT_GNU_VERDEF = 0x6ffffffd;
const SHT_GNU_VERNEED = 0x6ffffffe;
/** vd_flags of the definition that names the object itself (its soname), not a version. */
const VER_FLG_BASE = 1;
const HEADER_BYTES = 64;
const PROGRAM_HEADER_BYTES = 56;
const SECTION_HEADER_BYTES = 64;
/** e_machine of the architectures the library is built for, by Node's process.arch. */
const MACHINES: Record<string, number> = { x64: 62, arm64: 183 };

/** A file that cannot be read, or is cut short or corrupt where kahook reads it. */
export class ElfError extends Error {}

/** An ELF object of this machine's architecture: its file and its header. */
export interface Elf {
  file: string;
  header: Buffer;
}

interface Section {
  name: string;
  type: number;
  offset: number;
  size: number;
  /** The section holding this one's strings, for the version sections. */
  link: number;
}

/** Runs read, which reads file; an error of the file system, or an offset past what the file holds, becomes an ElfError naming the file. */
function reading<T>(file: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof RangeError) throw new ElfError(`${file} is cut short or corrupt (${error.message})`);
    if ((error as NodeJS.ErrnoException).code) throw new ElfError(`cannot read ${file}: ${(error as Error).message}`);
    throw error;
  }
}

/** Up to `bytes` bytes of file from offset `at`: fewer at its end. */
export function readAt(file: string, bytes: number, at = 0): Buffer {
  return reading(file, () => {
    const fd = openSync(file, constants.O_RDONLY);
    try {
      const buffer = Buffer.alloc(bytes);
      return buffer.subarray(0, readSync(fd, buffer, 0, bytes, at));
    } finally {
      closeSync(fd);
    }
  });
}

/** The NUL-terminated string at offset `at` of a string table. */
const stringAt = (table: Buffer, at: number) => table.toString("latin1", at, table.indexOf(0, at));

/**
 * file as an ELF object of this machine's architecture, or why it is not one; `start` is the
 * file's start when already read.
 */
export function elf(file: string, start = readAt(file, HEADER_BYTES)): Elf | { problem: string } {
  if (start.length < HEADER_BYTES || start.toString("latin1", 0, 4) !== ELF_MAGIC) {
    return { problem: "is not an ELF executable" };
  }
  if (start[4] !== ELFCLASS64 || start.readUInt16LE(18) !== MACHINES[process.arch]) {
    return { problem: `is built for another architecture than this ${process.arch} machine` };
  }
  return { file, header: start.subarray(0, HEADER_BYTES) };
}

/** The program's interpreter (its PT_INTERP), the dynamic loader; "" for a static program. */
export function interpreter({ file, header }: Elf): string {
  return reading(file, () => {
    const [table, size, count] = [Number(header.readBigUInt64LE(32)), header.readUInt16LE(54), header.readUInt16LE(56)];
    if (size < PROGRAM_HEADER_BYTES) return "";
    const headers = readAt(file, size * count, table);
    for (let i = 0; i < count; i++) {
      if (headers.readUInt32LE(i * size) !== PT_INTERP) continue;
      const [offset, length] = [
        Number(headers.readBigUInt64LE(i * size + 8)),
        Number(headers.readBigUInt64LE(i * size + 32)),
      ];
      return stringAt(readAt(file, length, offset), 0);
    }
    return "";
  });
}

/** The section headers, with their names; none where the file has no section header table. */
export function sections({ file, header }: Elf): Section[] {
  return reading(file, () => {
    const [table, size, count, namesIndex] = [
      Number(header.readBigUInt64LE(40)),
      header.readUInt16LE(58),
      header.readUInt16LE(60),
      header.readUInt16LE(62),
    ];
    if (table === 0 || size < SECTION_HEADER_BYTES) return [];
    const headers = readAt(file, size * count, table);
    const all = Array.from({ length: count }, (_, i) => ({
      nameAt: headers.readUInt32LE(i * size),
      type: headers.readUInt32LE(i * size + 4),
      offset: Number(headers.readBigUInt64LE(i * size + 24)),
      size: Number(headers.readBigUInt64LE(i * size + 32)),
      link: headers.readUInt32LE(i * size + 40),
    }));
    const names = all[namesIndex] ? readAt(file, all[namesIndex].size, all[namesIndex].offset) : Buffer.alloc(1);
    return all.map(({ nameAt, ...section }) => ({ name: stringAt(names, nameAt), ...section }));
  });
}

/** The section of that type, its contents and the strings of the section it links to; undefined when there is none. */
export function sectionWithStrings(object: Elf, type: number): { bytes: Buffer; strings: Buffer } | undefined {
  const all = sections(object);
  const section = all.find((candidate) => candidate.type === type);
  const strings = section && all[section.link];
  if (!section || !strings) return undefined;
  return {
    bytes: readAt(object.file, section.size, section.offset),
    strings: readAt(object.file, strings.size, strings.offset),
  };
}

/** The symbol versions the object needs, by the file that must define them: {"libc.so.6" => ["GLIBC_2.14", ...]}. */
export function versionsNeeded(object: Elf): Map<string, string[]> {
  const needs = new Map<string, string[]>();
  const found = sectionWithStrings(object, SHT_GNU_VERNEED);
  if (!found) return needs;
  const { bytes, strings } = found;
  return reading(object.file, () => {
    // Elf64_Verneed: vn_version, vn_cnt (16 bits), vn_file, vn_aux, vn_next (32 bits), each followed (vn_aux bytes
    // on) by vn_cnt Elf64_Vernaux: vna_hash (32), vna_flags, vna_other (16), vna_name, vna_next (32). A vn_next of 0
    // ends the list; each other one moves forward, so the loop ends within the section.
    for (let at = 0, next = 1; next !== 0; at += next) {
      next = bytes.readUInt32LE(at + 12);
      const versions: string[] = [];
      for (let j = 0, aux = at + bytes.readUInt32LE(at + 8); j < bytes.readUInt16LE(at + 2); j++) {
        versions.push(stringAt(strings, bytes.readUInt32LE(aux + 8)));
        aux += bytes.readUInt32LE(aux + 12);
      }
      needs.set(stringAt(strings, bytes.readUInt32LE(at + 4)), versions);
    }
    return needs;
  });
}

/** The symbol versions the object defines, such as GLIBC_2.2.5 ... GLIBC_2.17; undefined when it has no version definitions. */
export function versionsDefined(object: Elf): string[] | undefined {
  const found = sectionWithStrings(object, SHT_GNU_VERDEF);
  if (!found) return undefined;
  const { bytes, strings } = found;
  return reading(object.file, () => {
    // Elf64_Verdef: vd_version, vd_flags, vd_ndx, vd_cnt (16 bits), vd_hash, vd_aux, vd_next (32 bits); its first
    // Elf64_Verdaux (vd_aux bytes on): vda_name, vda_next (32 bits) names the version. A vd_next of 0 ends the list.
    const versions: string[] = [];
    for (let at = 0, next = 1; next !== 0; at += next) {
      next = bytes.readUInt32LE(at + 16);
      if ((bytes.readUInt16LE(at + 2) & VER_FLG_BASE) === 0) {
        versions.push(stringAt(strings, bytes.readUInt32LE(at + bytes.readUInt32LE(at + 12))));
      }
    }
    return versions;
  });
}
