/* The wrappers that patched GOT slots point at, and the per-fd tags they share.
 * No allocation and no lock here: relaxed atomics only, and libc's own functions for the real
 * calls. errno is preserved across kahook's own calls, so callers see only their call's errno. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "kahook.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2) /* <linux/close_range.h>, which musl's headers lack: the kernel's ABI */
#endif

/* A tag per fd below 1 Mi, one byte each: pages never touched stay unbacked. A socket with a
 * larger fd is configured at connect and listen all the same, but without a tag its values are
 * not kept against the program's later calls (counted in STAT_UNTAGGED).
 * Aligned to the largest page size (64 KiB on arm64) so the table can be dropped whole. */
enum { TAGS = KAHOOK_TAGS };
enum { TAG_UNKNOWN, TAG_OTHER, TAG_TCP, TAG_SET /* + set index */ };
static _Atomic unsigned char tags[TAGS] __attribute__((aligned(1 << 16)));
static atomic_int tagged_below; /* every fd with a tag is below it: bounds close_range's sweep */

#define REAL(fn, type) ((type *)kahook_real[fn])

static int tag_of(int fd) {
  return (unsigned)fd < TAGS ? atomic_load_explicit(&tags[fd], memory_order_relaxed) : TAG_UNKNOWN;
}

static void tag(int fd, int value) {
  if ((unsigned)fd >= TAGS) return;
  int below = atomic_load_explicit(&tagged_below, memory_order_relaxed);
  while (fd >= below && !atomic_compare_exchange_weak_explicit(&tagged_below, &below, fd + 1, memory_order_relaxed,
                                                               memory_order_relaxed)) {
  }
  atomic_store_explicit(&tags[fd], (unsigned char)value, memory_order_relaxed);
}

/* ---- debug lines: one write(2) each, no allocation ---- */

static const struct { int level, name; const char *text; } option_names[] = KAHOOK_OPTION_NAMES;
static const struct { int number; const char *text; } errno_names[] = KAHOOK_ERRNO_NAMES;
#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

static void put_option(struct line *l, int level, int name, int value) {
  size_t i = 0;
  while (i < COUNT_OF(option_names) && (option_names[i].level != level || option_names[i].name != name)) i++;
  if (i < COUNT_OF(option_names)) {
    kahook_put(l, option_names[i].text);
  } else {
    kahook_put_int(l, level);
    kahook_put(l, ":");
    kahook_put_int(l, name);
  }
  kahook_put(l, "=");
  kahook_put_int(l, value);
}

/* "kahook: fd 12 client, rule 2: " (rules count from 1, as in the JavaScript side's lines). */
static void begin(struct line *l, int fd, int set) {
  l->used = 0;
  kahook_put(l, "kahook: fd ");
  kahook_put_int(l, fd);
  kahook_put(l, set == SET_SERVER ? " server" : " client");
  if (set >= SET_RULE) {
    kahook_put(l, ", rule ");
    kahook_put_int(l, set - SET_RULE + 1);
  }
  kahook_put(l, ":");
}

/* ---- configuring ---- */

static int is_tcp(int domain, int type, int protocol) {
  return (domain == AF_INET || domain == AF_INET6) && (type & 0xf) == SOCK_STREAM &&
         (protocol == 0 || protocol == IPPROTO_TCP);
}

/* The tag of an fd kahook has not seen (opened before install, or by an unpatched object). */
static int tcp_tag(int fd) {
  int t = tag_of(fd);
  if (t != TAG_UNKNOWN) return t;
  int domain, type, protocol;
  socklen_t a = sizeof(int), b = sizeof(int), c = sizeof(int);
  int tcp = getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &a) == 0 && getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &b) == 0 &&
            getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &protocol, &c) == 0 && is_tcp(domain, type, protocol);
  t = tcp ? TAG_TCP : TAG_OTHER;
  tag(fd, t);
  return t;
}

/* Applies set k in order, stopping at the first failure. An empty set tags the fd and counts nothing. */
static void configure(int fd, int k) {
  const struct set *set = &kahook_config.set[k];
  setsockopt_fn *real_setsockopt = REAL(FN_SETSOCKOPT, setsockopt_fn);
  int i = 0, error = 0;
  tag(fd, TAG_SET + k);
  if (set->count == 0) return;
  for (; i < set->count; i++) {
    const struct setting *s = &set->settings[i];
    if (real_setsockopt(fd, s->level, s->name, &s->value, sizeof s->value) != 0) {
      error = errno;
      break;
    }
  }
  int failed = i < set->count, untagged = fd >= TAGS;
  kahook_record_socket(fd, k, failed ? i : -1, error, untagged);
  if (!(kahook_config.flags & FLAG_DEBUG)) return;
  struct line l;
  begin(&l, fd, k);
  for (int j = failed ? i : 0; j <= i && j < set->count; j++) {
    kahook_put(&l, " ");
    put_option(&l, set->settings[j].level, set->settings[j].name, set->settings[j].value);
  }
  if (untagged) kahook_put(&l, " (fd beyond the tag table: later calls of the program are not kept at these)");
  if (failed) {
    size_t e = 0;
    while (e < COUNT_OF(errno_names) && errno_names[e].number != error) e++;
    kahook_put(&l, ": ");
    if (e < COUNT_OF(errno_names)) {
      kahook_put(&l, errno_names[e].text);
    } else {
      kahook_put(&l, "errno ");
      kahook_put_int(&l, error);
    }
  }
  kahook_emit(&l);
}

/* Whether the first `bits` bits of a and b are equal. */
static int prefix_matches(const unsigned char *a, const unsigned char *b, int bits) {
  int whole = bits / 8, rest = bits % 8;
  return memcmp(a, b, (size_t)whole) == 0 && (rest == 0 || ((a[whole] ^ b[whole]) & (0xff00 >> rest) & 0xff) == 0);
}

/* The first rule matching the destination's port and address, else the default client set.
 * IPv4 rules also match IPv4-mapped IPv6 destinations; IPv6 rules match only real IPv6 ones. */
static int client_set(const struct sockaddr *to) {
  if (kahook_config.sets == SET_RULE) return SET_CLIENT; /* no rules: the common case, nothing to decode */
  const struct sockaddr_in *in = (const void *)to;
  const struct sockaddr_in6 *in6 = (const void *)to;
  int v4 = to->sa_family == AF_INET || IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr);
  int port = ntohs(to->sa_family == AF_INET ? in->sin_port : in6->sin6_port);
  const unsigned char *address = to->sa_family == AF_INET ? (const unsigned char *)&in->sin_addr
                                                          : in6->sin6_addr.s6_addr + (v4 ? 12 : 0);
  for (int i = 0; i < kahook_config.sets - SET_RULE; i++) {
    const struct rule *r = &kahook_config.rule[i];
    if (r->port != 0 && r->port != port) continue;
    if (r->length != 0 && (r->length == 4) != v4) continue;
    if (r->length != 0 && !prefix_matches(r->address, address, r->prefix)) continue;
    return SET_RULE + i;
  }
  return SET_CLIENT;
}

/* ---- the wrappers ---- */

static int wrap_socket(int domain, int type, int protocol) {
  int fd = REAL(FN_SOCKET, socket_fn)(domain, type, protocol);
  if (fd >= 0) tag(fd, is_tcp(domain, type, protocol) ? TAG_TCP : TAG_OTHER);
  return fd;
}

static int wrap_connect(int fd, const struct sockaddr *to, socklen_t length) {
  if ((kahook_config.flags & FLAG_CLIENTS) && to && length >= sizeof(struct sockaddr_in) &&
      (to->sa_family == AF_INET || (to->sa_family == AF_INET6 && length >= sizeof(struct sockaddr_in6)))) {
    int saved = errno;
    if (tcp_tag(fd) == TAG_TCP) configure(fd, client_set(to));
    errno = saved;
  }
  return REAL(FN_CONNECT, connect_fn)(fd, to, length);
}

static int wrap_listen(int fd, int backlog) {
  if (kahook_config.flags & FLAG_LISTENERS) {
    int saved = errno;
    if (tcp_tag(fd) == TAG_TCP) configure(fd, SET_SERVER);
    errno = saved;
  }
  return REAL(FN_LISTEN, listen_fn)(fd, backlog);
}

/* An accepted socket has its configured listener's options (the kernel copies them). */
static int accepted(int listener, int fd) {
  if (fd >= 0) {
    int t = tag_of(listener);
    tag(fd, t >= TAG_SET || t == TAG_OTHER ? t : TAG_UNKNOWN);
  }
  return fd;
}

static int wrap_accept(int fd, struct sockaddr *from, socklen_t *length) {
  return accepted(fd, REAL(FN_ACCEPT, accept_fn)(fd, from, length));
}

static int wrap_accept4(int fd, struct sockaddr *from, socklen_t *length, int flags) {
  return accepted(fd, REAL(FN_ACCEPT4, accept4_fn)(fd, from, length, flags));
}

/* On a configured socket, a sticky setting keeps kahook's value whatever the program sets. */
static int wrap_setsockopt(int fd, int level, int name, const void *value, socklen_t length) {
  int t = tag_of(fd);
  if (t >= TAG_SET && value && length == sizeof(int)) {
    const struct set *set = &kahook_config.set[t - TAG_SET];
    for (int i = 0; i < set->count; i++) {
      const struct setting *s = &set->settings[i];
      if (!s->sticky || s->level != level || s->name != name || s->value == *(const int *)value) continue;
      kahook_record_kept(level, name);
      if (kahook_config.flags & FLAG_DEBUG) {
        struct line l;
        begin(&l, fd, t - TAG_SET);
        kahook_put(&l, " ");
        put_option(&l, level, name, *(const int *)value);
        kahook_put(&l, " kept at ");
        kahook_put_int(&l, s->value);
        kahook_emit(&l);
      }
      return REAL(FN_SETSOCKOPT, setsockopt_fn)(fd, level, name, &s->value, sizeof s->value);
    }
  }
  return REAL(FN_SETSOCKOPT, setsockopt_fn)(fd, level, name, value, length);
}

/* Why a configured connection the program closes had ended, from TCP_INFO (struct tcp_info of
 * <linux/tcp.h>, whose offsets are the kernel's ABI): in TCP_CLOSE after it was established, with
 * keepalive probes unanswered, or with retransmissions of unacknowledged data; -1 otherwise (it
 * is open, or ended by a FIN or a reset). */
enum { INFO_STATE = 0, INFO_RETRANSMITS = 2, INFO_PROBES = 3, INFO_SEGS_IN = 140, INFO_BYTES = 144 };
enum { TCP_CLOSE_STATE = 7, TCP_INFO_OPTION = 11 };

static int ended_by(int fd, int set) {
  unsigned char info[INFO_BYTES] = {0};
  socklen_t length = sizeof info;
  uint32_t segments_in;
  if (getsockopt(fd, IPPROTO_TCP, TCP_INFO_OPTION, info, &length) != 0 || length < INFO_BYTES) return -1;
  memcpy(&segments_in, info + INFO_SEGS_IN, sizeof segments_in);
  if (info[INFO_STATE] != TCP_CLOSE_STATE || segments_in == 0) return -1;
  if (info[INFO_PROBES] > 0) return CAUSE_KEEPALIVE;
  if (info[INFO_RETRANSMITS] == 0) return -1;
  const struct set *s = &kahook_config.set[set];
  for (int i = 0; i < s->count; i++)
    if (s->settings[i].level == IPPROTO_TCP && s->settings[i].name == TCP_USER_TIMEOUT && s->settings[i].value > 0)
      return CAUSE_USER_TIMEOUT;
  return CAUSE_RETRANSMISSIONS;
}

/* Before fd is closed. Its number is then free for anything: its tag goes, so that the next
 * socket with that number, however it is made, is looked at afresh and never takes this one's
 * settings. With FLAG_DEAD_PEERS, a configured connection is asked first why it ended (one getsockopt). */
static void closing(int fd) {
  int t = tag_of(fd);
  if (t >= TAG_SET && (kahook_config.flags & FLAG_DEAD_PEERS)) {
    int saved = errno, cause = ended_by(fd, t - TAG_SET);
    if (cause >= 0) kahook_record_dead(t - TAG_SET, cause);
    errno = saved;
  }
  tag(fd, TAG_UNKNOWN);
}

static int wrap_close(int fd) {
  closing(fd);
  return REAL(FN_CLOSE, close_fn)(fd);
}

/* libuv closes its fds with syscall(SYS_close), past close(3). Every system call takes at most
 * six arguments, passed in registers as longs on x86_64 and aarch64, which is how glibc's and
 * musl's syscall() read them too. */
static long wrap_syscall(long number, ...) {
  long a[6];
  va_list arguments;
  va_start(arguments, number);
  for (int i = 0; i < 6; i++) a[i] = va_arg(arguments, long);
  va_end(arguments);
  if (number == SYS_close) closing((int)a[0]);
  return REAL(FN_SYSCALL, syscall_fn)(number, a[0], a[1], a[2], a[3], a[4], a[5]);
}

/* The tag follows the socket to the number it is duplicated to, which stops being what it was. */
static int duplicated(int from, int to) {
  if (to >= 0) tag(to, tag_of(from));
  return to;
}

static int wrap_dup(int fd) { return duplicated(fd, REAL(FN_DUP, dup_fn)(fd)); }

static int wrap_dup2(int fd, int to) {
  int rc = REAL(FN_DUP2, dup2_fn)(fd, to);
  return rc == to && fd != to ? duplicated(fd, rc) : rc;
}

static int wrap_dup3(int fd, int to, int flags) { return duplicated(fd, REAL(FN_DUP3, dup3_fn)(fd, to, flags)); }

/* fcntl's third argument, when there is one, is an int or a pointer, passed in a register either
 * way on x86_64 and aarch64: read as a pointer-sized word and passed on as such. */
static int fcntl_with(int fn, int fd, int cmd, va_list arguments) {
  void *argument = va_arg(arguments, void *);
  int rc = ((fcntl_fn *)kahook_real[fn])(fd, cmd, argument);
  return cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC ? duplicated(fd, rc) : rc;
}

static int wrap_fcntl(int fd, int cmd, ...) {
  va_list arguments;
  va_start(arguments, cmd);
  int rc = fcntl_with(FN_FCNTL, fd, cmd, arguments);
  va_end(arguments);
  return rc;
}

static int wrap_fcntl64(int fd, int cmd, ...) {
  va_list arguments;
  va_start(arguments, cmd);
  int rc = fcntl_with(FN_FCNTL64, fd, cmd, arguments);
  va_end(arguments);
  return rc;
}

/* close_range(3, ~0U, 0) closes every fd above 2: only those that may hold a tag are swept. */
static int wrap_close_range(unsigned first, unsigned last, int flags) {
  int rc = REAL(FN_CLOSE_RANGE, close_range_fn)(first, last, flags);
  if (rc == 0 && !(flags & CLOSE_RANGE_CLOEXEC)) {
    unsigned below = (unsigned)atomic_load_explicit(&tagged_below, memory_order_relaxed);
    for (unsigned fd = first; fd <= last && fd < below; fd++) tag((int)fd, TAG_UNKNOWN);
  }
  return rc;
}

/* Objects a dlopen brings in are patched before it returns. */
static void *wrap_dlopen(const char *file, int flags) {
  void *handle = REAL(FN_DLOPEN, dlopen_fn)(file, flags);
  if (handle) {
    int saved = errno;
    kahook_rewalk();
    errno = saved;
  }
  return handle;
}

void *const kahook_wrapper[FN_COUNT] = {
    [FN_SOCKET] = (void *)wrap_socket,   [FN_CONNECT] = (void *)wrap_connect, [FN_LISTEN] = (void *)wrap_listen,
    [FN_ACCEPT] = (void *)wrap_accept,   [FN_ACCEPT4] = (void *)wrap_accept4, [FN_SETSOCKOPT] = (void *)wrap_setsockopt,
    [FN_CLOSE] = (void *)wrap_close,     [FN_DUP] = (void *)wrap_dup,         [FN_DUP2] = (void *)wrap_dup2,
    [FN_DUP3] = (void *)wrap_dup3,       [FN_FCNTL] = (void *)wrap_fcntl,     [FN_DLOPEN] = (void *)wrap_dlopen,
    [FN_FCNTL64] = (void *)wrap_fcntl64, [FN_CLOSE_RANGE] = (void *)wrap_close_range, [FN_SYSCALL] = (void *)wrap_syscall,
};

/* Forgets the tags and counts of a previous install, whose set numbers no longer apply.
 * The table is anonymous memory: MADV_DONTNEED returns it to zero pages in one call. */
void kahook_reset(void) {
  if (madvise(tags, sizeof tags, MADV_DONTNEED) != 0)
    for (int fd = 0; fd < TAGS; fd++) tag(fd, TAG_UNKNOWN);
  atomic_store_explicit(&tagged_below, 0, memory_order_relaxed);
  kahook_figures_reset();
}
