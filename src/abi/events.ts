/**
 * The events the native interposer records, one per socket it configures or fails to, as
 * kahook_events() copies them out: EVENT_WORDS int32 words each (native/interposer/abi.h is
 * written from these).
 * @module
 */

/** The int32 words of one event. */
export const EVENT_WORDS = 5;
/** An event's words: its kind, the socket's fd, its setting set, the failed setting's index, errno. */
export const EVENT = { kind: 0, fd: 1, set: 2, setting: 3, errno: 4 } as const;
/** The kinds of event. */
export const EVENT_KINDS = { configured: 1, failed: 2 } as const;
