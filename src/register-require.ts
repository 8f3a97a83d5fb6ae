/**
 * The preload as `node --require kahook/register` loads it (dist/src/register.cjs): as
 * register.ts, but CommonJS, whose modules load at once, so the fallback bundle beside it
 * (dist/src/fallback.cjs) is required rather than imported.
 * @module
 */
import { type Fallback, finish, preload } from "./preload.ts";

const pending = preload();
if (pending) finish(pending, require("./fallback.cjs") as Fallback);
