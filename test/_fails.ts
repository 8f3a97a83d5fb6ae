import { inspect } from "node:util";
import * as assert from "uvu/assert";
import { KahookError } from "../src/host/errors.ts";

/**
 * Runs action, which must throw a KahookError with the fields of expected, and returns that error
 * for the test's own checks. assert.unreachable stays outside the try, whose catch would take its
 * failure for the error expected.
 */
export function fails(action: () => unknown, expected: Partial<KahookError>): KahookError {
  let returned: unknown;
  try {
    returned = action();
  } catch (error) {
    assert.instance(error, KahookError);
    for (const [key, value] of Object.entries(expected)) {
      assert.is((error as unknown as Record<string, unknown>)[key], value, `${key} of ${(error as Error).message}`);
    }
    return error as KahookError;
  }
  assert.unreachable(`no error was thrown; it returned ${inspect(returned)}`);
  throw new Error("unreachable");
}
