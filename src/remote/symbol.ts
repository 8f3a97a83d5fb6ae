/**
 * Where a shared object keeps a symbol it exports: its value in the dynamic symbol table
 * (.dynsym), which is its offset from the address the object is loaded at. Read with the
 * ELF reader of `kahook run` (sys/elf.ts).
 * @module
 */
import { elf, ElfError, sectionWithStrings } from "../sys/elf.ts";

// <elf.h>: the dynamic symbol table's section type, and Elf64_Sym: st_name (32 bits), st_info,
// st_other (8), st_shndx (16), st_value, st_size (64 bits) at offsets 0, 4, 5, 6, 8, 16.
const SHT_DYNSYM = 11;
const SYMBOL_BYTES = 24;
/** st_shndx of a symbol the object uses but does not define. */
const SHN_UNDEF = 0;

/** The value of the symbol `name` that file defines and exports; undefined if it exports none. */
export function exportedSymbol(file: string, name: string): bigint | undefined {
  const object = elf(file);
  if ("problem" in object) throw new ElfError(`${file} ${object.problem}`);
  const table = sectionWithStrings(object, SHT_DYNSYM);
  if (!table) return undefined;
  const { bytes: symbols, strings } = table;
  const wanted = Buffer.from(`${name}\0`, "latin1");
  for (let at = 0; at + SYMBOL_BYTES <= symbols.length; at += SYMBOL_BYTES) {
    const nameAt = symbols.readUInt32LE(at);
    const defined = symbols.readUInt16LE(at + 6) !== SHN_UNDEF;
    if (defined && strings.subarray(nameAt, nameAt + wanted.length).equals(wanted)) {
      return symbols.readBigUInt64LE(at + 8);
    }
  }
  return undefined;
}
