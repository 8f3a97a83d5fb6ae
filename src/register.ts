/**
 * The preload: `node --import kahook/register`, `bun --preload kahook/register`,
 * `deno run --allow-ffi --allow-env --preload <kahook>/dist/src/register.js` (or src/register.ts).
 * Installs kahook from the environment (src/preload.ts); the JavaScript hooks, where the
 * interposer cannot install, come from the fallback bundle beside this one (dist/src/fallback.js),
 * or from the sources where these run.
 * @module
 */
import { type Fallback, finish, preload } from "./preload.ts";

const pending = preload();
if (pending) {
  const here = import.meta.url;
  const fallback = here.endsWith(".ts") ? "./fallback/install.ts" : "./fallback.js";
  finish(pending, (await import(new URL(fallback, here).href)) as Fallback);
}
