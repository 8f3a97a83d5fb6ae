/* Written by `npm run abi` from src/abi/ (words.ts, figures.ts, events.ts) and the Linux
 * option table (src/sys/linux.ts): what kahook's TypeScript side and this library pass each
 * other. Do not edit; test/node-only/native-abi.test.ts checks it is what they render. */
#ifndef KAHOOK_ABI_H
#define KAHOOK_ABI_H

/* kahook_install's words (kahook.h describes them). */
enum { KAHOOK_ABI_VERSION = 1 };
enum { FLAG_CLIENTS = 1, FLAG_LISTENERS = 2, FLAG_DEBUG = 4, FLAG_DEAD_PEERS = 8 };
enum { MAX_SETS = 64, MAX_SETTINGS = 16, MAX_RULES = 62, MAX_WORDS = 5342 };
enum { SET_SERVER = 0, SET_CLIENT = 1, SET_RULE = 2 };

/* What kahook_install and kahook_uninstall return instead of a count of slots. */
enum { KAHOOK_INVALID_CONFIG = -22, KAHOOK_C_LIBRARY_MISSING = -2, KAHOOK_NO_CONNECT_SLOT = -8, KAHOOK_INSTALLED_ALREADY = -114, KAHOOK_NOT_INSTALLED = -2 };

/* The figures (kahook_counters, KAHOOK_FIGURES): TOTALS, then the kept values by option, then per
 * setting set PER_SET figures; dead peers by cause. */
#define KAHOOK_FIGURES kahook_figures
#define KAHOOK_FIGURES_MAGIC "kahook figures 1"
enum { STAT_CONFIGURED = 0, STAT_FAILED = 1, STAT_KEPT = 2, STAT_SLOTS = 3, STAT_SLOTS_UNPATCHED = 4, STAT_UNTAGGED = 5, STAT_EVENTS_LOST = 6, STAT_DEAD = 7 };
enum { STAT_KEPT_BY_OPTION = 8, KEPT_OPTIONS = 5, STAT_BY_SET = 13 };
enum { SET_CONFIGURED = 0, SET_FAILED = 1, SET_DEAD_KEEPALIVE = 2, SET_DEAD_USER_TIMEOUT = 3, SET_DEAD_RETRANSMISSIONS = 4 };
enum { SET_FIGURES = 5, STAT_TOTAL = 333 };
enum { CAUSE_KEEPALIVE = 0, CAUSE_USER_TIMEOUT = 1, CAUSE_RETRANSMISSIONS = 2 };
enum { CAUSES = 3 };
/* The kept options' level and name, in STAT_KEPT_BY_OPTION's order. */
#define KAHOOK_KEPT_OPTIONS {{1, 9}, {6, 4}, {6, 5}, {6, 6}, {6, 18}}

/* An event (kahook_events): EVENT_WORDS int32 words. */
enum { EVENT_KIND = 0, EVENT_FD = 1, EVENT_SET = 2, EVENT_SETTING = 3, EVENT_ERRNO = 4 };
enum { EVENT_WORDS = 5 };
enum { EVENT_CONFIGURED = 1, EVENT_FAILED = 2 };

/* The names debug lines give: {level, name, "CONSTANT"} of each option, {number, "NAME"} of each errno. */
#define KAHOOK_OPTION_NAMES {{1, 9, "SO_KEEPALIVE"}, {6, 4, "TCP_KEEPIDLE"}, {6, 5, "TCP_KEEPINTVL"}, {6, 6, "TCP_KEEPCNT"}, {6, 18, "TCP_USER_TIMEOUT"}, {6, 7, "TCP_SYNCNT"}, {6, 9, "TCP_DEFER_ACCEPT"}, {6, 2, "TCP_MAXSEG"}, {6, 10, "TCP_WINDOW_CLAMP"}}
#define KAHOOK_ERRNO_NAMES {{1, "EPERM"}, {2, "ENOENT"}, {3, "ESRCH"}, {4, "EINTR"}, {9, "EBADF"}, {11, "EAGAIN"}, {12, "ENOMEM"}, {13, "EACCES"}, {14, "EFAULT"}, {22, "EINVAL"}, {23, "ENFILE"}, {24, "EMFILE"}, {38, "ENOSYS"}, {88, "ENOTSOCK"}, {92, "ENOPROTOOPT"}, {95, "EOPNOTSUPP"}, {97, "EAFNOSUPPORT"}, {107, "ENOTCONN"}, {110, "ETIMEDOUT"}}

#endif
