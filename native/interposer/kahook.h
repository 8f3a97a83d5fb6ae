/* kahook's interposer: shared declarations and the install ABI.
 *
 * kahook_install(words, count) takes int32 words, ABI version 1:
 *   [0] version = 1
 *   [1] flags: FLAG_CLIENTS | FLAG_LISTENERS | FLAG_DEBUG | FLAG_DEAD_PEERS (counted at close)
 *   [2] S, the number of setting sets (2..64); then S sets, each:
 *       n (0..16), then n groups of 4 words: level, optname, value, sticky (0 or 1)
 *   then R = S - 2 rules, each: port (0 = any), address length in bytes (0 = any, 4, 16),
 *       prefix bits, then 16 words holding the address bytes (0..255; bytes after the
 *       length and bits after the prefix are zero)
 * Set 0 is the listeners' (accepted sockets inherit it), set 1 the clients' default, set 2 + i
 * rule i's. It returns the number of slots patched, or one of abi.h's KAHOOK_* results (a negated
 * errno) with nothing patched. abi.h, written from the TypeScript side, gives every number here. */
#ifndef KAHOOK_H
#define KAHOOK_H

#include <elf.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include "abi.h"

#define KAHOOK_EXPORT __attribute__((visibility("default")))

struct setting { int level, name, value, sticky; };
struct set { int count; struct setting settings[MAX_SETTINGS]; };
struct rule { int port, length, prefix; unsigned char address[16]; };
struct config { int flags, sets; struct set set[MAX_SETS]; struct rule rule[MAX_RULES]; };

/* config.c: the settings in force, written only while nothing is patched. */
extern struct config kahook_config;
int kahook_config_load(const int32_t *words, int32_t count);

/* Fixed limits. test/interposer-limits.test.ts builds the library with smaller ones, and with C
 * library names that do not exist, to reach what happens at each. */
#ifndef KAHOOK_MAX_SLOTS
#define KAHOOK_MAX_SLOTS 512 /* GOT slots patched at once: Node, Bun and Deno have 10 to 40 */
#endif
#ifndef KAHOOK_TAGS
#define KAHOOK_TAGS (1 << 20) /* fds with a tag: fs.nr_open's default keeps every fd below it */
#endif
#ifndef KAHOOK_C_LIBRARIES
#define KAHOOK_C_LIBRARIES "libpthread.so.0", "libc.so.6", "libdl.so.2"
#endif

/* The wrapped functions; the order indexes kahook_names, kahook_real and kahook_wrapper. A C
 * library may lack those from FN_OPTIONAL on (glibc before 2.34 has no close_range, before 2.28
 * no fcntl64; musl may lack both), which are then left unwrapped; syscall is among them so that
 * a C library without it loses nothing else. dlopen lives in libdl before
 * glibc 2.34. */
enum {
  FN_SOCKET, FN_CONNECT, FN_LISTEN, FN_ACCEPT, FN_ACCEPT4, FN_SETSOCKOPT, FN_CLOSE, FN_DUP, FN_DUP2, FN_DUP3,
  FN_FCNTL, FN_DLOPEN, FN_OPTIONAL, FN_FCNTL64 = FN_OPTIONAL, FN_CLOSE_RANGE, FN_SYSCALL, FN_COUNT
};
typedef int socket_fn(int, int, int);
typedef int connect_fn(int, const struct sockaddr *, socklen_t);
typedef int listen_fn(int, int);
typedef int accept_fn(int, struct sockaddr *, socklen_t *);
typedef int accept4_fn(int, struct sockaddr *, socklen_t *, int);
typedef int setsockopt_fn(int, int, int, const void *, socklen_t);
typedef int close_fn(int);
typedef int dup_fn(int);
typedef int dup2_fn(int, int);
typedef int dup3_fn(int, int, int);
typedef int fcntl_fn(int, int, ...);
typedef int close_range_fn(unsigned, unsigned, int);
typedef long syscall_fn(long, ...);
typedef void *dlopen_fn(const char *, int);

/* libc.c: the C library's own definitions of the wrapped functions, from its handles: libc,
 * and before glibc 2.34 libpthread (whose connect, accept and close programs linked with it
 * bind to) and libdl. kahook_real[fn] is the one the wrappers call, the first found of
 * libpthread's, libc's and libdl's. dlsym(RTLD_DEFAULT) is not used: it can return an
 * executable's PLT stub (Bun's), which jumps through the slot being patched. */
enum { DEFINITIONS = 3 };
extern const char *const kahook_names[FN_COUNT];
extern void *kahook_real[FN_COUNT];
int kahook_find_real(void); /* 0, or KAHOOK_C_LIBRARY_MISSING when a function before FN_OPTIONAL is missing */
int kahook_is_real(int fn, const void *address);
/* Registers fork handlers once (pthread_atfork, reached through the C library's handle). */
void kahook_at_fork(void (*prepare)(void), void (*parent)(void), void (*child)(void));

/* sockets.c */
extern void *const kahook_wrapper[FN_COUNT];
void kahook_reset(void);

/* figures.c: what the interposer counted, in one array of int64 figures (abi.h's STAT_*) that
 * kahook_counters() copies out, and that `kahook inspect` reads from outside the process in the
 * exported kahook_figures; and the events of the sockets it configured (abi.h's EVENT_*), in a
 * ring kahook_events() drains. */
void kahook_figures_reset(void);
void kahook_figure_set(int stat, int64_t value);
/* A socket configured with set `set`, or failed at its setting `failed` (-1: none) with errno `error`. */
void kahook_record_socket(int fd, int set, int failed, int error, int untagged);
void kahook_record_kept(int level, int name);
void kahook_record_dead(int set, int cause);

/* lines.c: one stderr line, "kahook: ...", built without allocation; the text is cut at 1023 bytes. */
struct line { char text[1024]; size_t used; };
void kahook_put(struct line *l, const char *s);
void kahook_put_int(struct line *l, long value);
void kahook_emit(struct line *l);

/* got.c. kahook_install_with(..., 0) also installs where no object calls connect yet: a
 * program loaded with the library preloaded may dlopen its socket code later (Python's _socket). */
int kahook_install_with(const int32_t *words, int32_t count, int require_connect);
void kahook_rewalk(void);

/* Both supported architectures are 64-bit: relocation info is split the ELF64 way. */
#define R_TYPE(info) ELF64_R_TYPE(info)
#define R_SYM(info) ELF64_R_SYM(info)

/* Relocation types naming a GOT slot, and how a lazy (not yet bound) slot can be bound. */
#if defined(__x86_64__)
#define R_JUMP_SLOT R_X86_64_JUMP_SLOT
#define R_GLOB_DAT R_X86_64_GLOB_DAT
#define LAZY_SLOT_CALLABLE 1 /* it points at its own PLT entry, whose push names the relocation */
#elif defined(__aarch64__)
#define R_JUMP_SLOT R_AARCH64_JUMP_SLOT
#define R_GLOB_DAT R_AARCH64_GLOB_DAT
#define LAZY_SLOT_CALLABLE 0 /* it points at PLT0, which expects x16 set by the PLT entry */
#else
#error "the interposer supports x86_64 and aarch64"
#endif

KAHOOK_EXPORT int32_t kahook_install(const int32_t *words, int32_t count);
KAHOOK_EXPORT int32_t kahook_uninstall(void);
/* Copies the figures (at most capacity) to out; returns how many there are. */
KAHOOK_EXPORT int32_t kahook_counters(int64_t *out, int32_t capacity);
/* Copies the events after *cursor (at most capacity) to out, EVENT_WORDS each, and moves the
 * cursor past them; returns how many it copied. Capacity 0 moves the cursor past them all. */
KAHOOK_EXPORT int32_t kahook_events(int32_t *out, int32_t capacity, int64_t *cursor);

#endif
