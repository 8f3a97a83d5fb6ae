/** The types of the fallback bundle that the build puts beside register.js (dist/src/fallback.js). */
export * from "./fallback/install.ts";
