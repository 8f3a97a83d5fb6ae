/** Exit statuses of the kahook command and the preload. */

/** A bad command line, as most command-line tools report it. */
export const EX_USAGE = 2;
/** sysexits.h EX_CONFIG: an invalid value, so a supervisor can tell it from the program failing. */
export const EX_CONFIG = 78;
/** What shells return when the command cannot be found or run. */
export const COMMAND_NOT_FOUND = 127;
