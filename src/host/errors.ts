/** Stable codes carried by every error kahook throws. */
export type KahookErrorCode =
  | "KAHOOK_ERR_INVALID_OPTION"
  | "KAHOOK_ERR_INVALID_ENV"
  | "KAHOOK_ERR_INVALID_TARGET"
  | "KAHOOK_ERR_NO_FD"
  | "KAHOOK_ERR_SYSCALL"
  | "KAHOOK_ERR_UNSUPPORTED_OPTION"
  | "KAHOOK_ERR_UNSUPPORTED_PLATFORM"
  | "KAHOOK_ERR_FFI"
  | "KAHOOK_ERR_USAGE";

export interface KahookErrorDetails {
  /** errno name, such as "EINVAL", when a system call failed. */
  errno?: string;
  /** The failing system call: "setsockopt", "getsockopt", "dlopen", ... */
  syscall?: string;
  /** The option field, such as "idle". */
  option?: string;
  /** The environment variable, such as "TCP_KEEPIDLE". */
  variable?: string;
  cause?: unknown;
}

/** The one error type kahook throws. `code` is stable; `message` is for people. */
export class KahookError extends Error {
  /** What went wrong, stable across versions: switch on this. */
  readonly code: KahookErrorCode;
  /** The errno name of a failed system call, such as "EINVAL". */
  readonly errno?: string;
  /** The system call that failed, such as "setsockopt". */
  readonly syscall?: string;
  /** The option at fault, by its setKeepAlive name, such as "idle". */
  readonly option?: string;
  /** The environment variable at fault, such as "TCP_KEEPIDLE". */
  readonly variable?: string;

  /** An error with its stable code, a message for people, and what it concerns. */
  constructor(code: KahookErrorCode, message: string, details: KahookErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = "KahookError";
    this.code = code;
    this.errno = details.errno;
    this.syscall = details.syscall;
    this.option = details.option;
    this.variable = details.variable;
  }
}

/** A value as it should appear in a message: strings quoted, so "" and " 5" stay visible. */
export function show(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}
