import type { SocketPlan } from "../config/plan.ts";
import { packageFile } from "../host/package.ts";
import { adapter } from "../runtimes/index.ts";
import { host } from "../host/host.ts";
import { shared } from "../host/shared.ts";
import { compileWords, NATIVE_CONFIG, RESULTS } from "../abi/words.ts";
import { decodeFigures, FIGURE_COUNT, type Figures } from "../abi/figures.ts";

/** Why kahook_install refused, by its result. */
const REFUSALS: Record<number, string> = {
  [RESULTS.invalidConfig]: "it refused the compiled settings (EINVAL)",
  [RESULTS.cLibraryMissing]: "the C library's socket functions were not found (ENOENT)",
  [RESULTS.noConnectSlot]:
    "no object of this program calls the C library's connect through a slot it recognises (ENOEXEC): a static executable, or another interposer holds the slots",
};

/** The directories of native/build/ that native/interposer/build.sh fills. */
const BUILT = ["linux-x64", "linux-arm64"];

/** A file of native/build/<os>-<arch>/; a copy of kahook served over the network (from JSR) has none on disk. */
function builtFile(name: string): string {
  const platform = `${host.os}-${host.arch}`;
  if (!BUILT.includes(platform)) {
    throw new Error(`kahook ships no native library for ${host.os} ${host.arch}, only for ${BUILT.join(" and ")}`);
  }
  const url = packageFile(`native/build/${platform}/${name}`);
  if (url.protocol !== "file:") {
    throw new Error(`the native library is not on disk: this copy of kahook was loaded from ${url.origin}`);
  }
  // The library is built for Linux only, where a file URL's path is the file's path once decoded.
  return decodeURIComponent(url.pathname);
}
/** The library's files in native/build/<platform>-<arch>/: what the JavaScript preload loads, and its twin for LD_PRELOAD. */
export const LIBRARY_FILES = { preload: "kahook.node", ldPreload: "libkahook.so" } as const;
/** The library built for this machine that the JavaScript preload loads: native/build/<platform>-<arch>/kahook.node. */
export const libraryPath = (): string => builtFile(LIBRARY_FILES.preload);
/** Its twin for LD_PRELOAD, which installs itself from KAHOOK_NATIVE_CONFIG: native/build/<platform>-<arch>/libkahook.so. */
export const preloadLibraryPath = (): string => builtFile(LIBRARY_FILES.ldPreload);

/** The outcome of an attempt to install: the slots patched, or why not; `already` when a copy of kahook installed it. */
export type Installed = { slots: number } | { reason: string; already: boolean };

/**
 * Loads the library and redirects the program's socket calls to it, configured by the plan.
 * Never throws: a library that cannot load or install gives the reason, and nothing is changed.
 */
export function installInterposer(plan: SocketPlan): Installed {
  try {
    const words = compileWords(plan);
    shared.interposer ??= adapter.loadInterposer(libraryPath());
    const result = shared.interposer.install(words);
    if (result >= 0) return { slots: result };
    // Preloaded by `kahook run` or `kahook env`, libkahook.so holds the slots and configures every socket already.
    if (result === RESULTS.noConnectSlot && host.env(NATIVE_CONFIG) !== undefined) {
      return { reason: "libkahook.so holds the slots, preloaded by kahook run or kahook env", already: true };
    }
    // A Node worker thread's preload, or a copy of kahook that shares nothing with this one.
    if (result === RESULTS.installedAlready) {
      return { reason: "installed already, by another thread or copy of kahook", already: true };
    }
    return { reason: REFUSALS[result] ?? `kahook_install returned ${result}`, already: false };
  } catch (error) {
    return { reason: String((error as Error)?.message ?? error).split("\n")[0], already: false };
  }
}

/** Restores the slots; false when the interposer is not installed. */
export function uninstallInterposer(): boolean {
  return shared.interposer !== undefined && shared.interposer.uninstall() >= 0;
}

/** The interposer's figures since it was last installed, or undefined when it never was. */
export function interposerFigures(): Figures | undefined {
  const { interposer, interposerPlan: plan } = shared;
  if (!interposer || !plan) return undefined;
  const values = new BigInt64Array(FIGURE_COUNT);
  interposer.counters(values);
  return decodeFigures(values, plan.sets.length);
}
