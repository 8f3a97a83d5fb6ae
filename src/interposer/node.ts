import type { NativeInterposer, NativeLoader } from "./native.ts";

/** Node: the library is also a Node-API addon, which process.dlopen loads in ≈ 0.4 ms (koffi takes 8–15). */
export const loadNodeAddon: NativeLoader = (path) => {
  const module = { exports: {} as NativeInterposer };
  globalThis.process.dlopen(module, path);
  return module.exports;
};
