/** The JavaScript runtime this code runs in. Deno and Bun also look like Node, so test them first. */
export type Runtime = "deno" | "bun" | "node";

export const runtime: Runtime = "Deno" in globalThis ? "deno" : "Bun" in globalThis ? "bun" : "node";
