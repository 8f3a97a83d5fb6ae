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
  // Literal specifiers, which Deno loads without --allow-read (a computed one needs it): the
  // sources where these run, else the fallback bundle beside this one.
  const fallback: Fallback = import.meta.url.endsWith(".ts")
    ? await import("./fallback/install.ts")
    : await import("./fallback.js");
  finish(pending, fallback);
}
