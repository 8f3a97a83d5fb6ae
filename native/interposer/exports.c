/* libkahook.so's own definitions of the wrapped socket and fd functions. Preloaded, the library
 * comes first in the program's symbol scope, so every object binds these, those the program
 * dlopens later included, whatever their RUNPATH (which keeps kahook's dlopen wrapper out of
 * them). A call before the constructor has run (from another object's constructor) looks the C
 * library's functions up first. Should they not be found, a call goes to the next definition
 * in the program's scope, as if the library were not there: never to a wrapper that would call
 * nothing. No _GNU_SOURCE here: glibc then declares sockaddr arguments as plain pointers, as
 * these definitions take them. */
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/socket.h>
#include <unistd.h>
#include "kahook.h"

/* The wrapper, once every function the wrappers call is known; else the next definition. */
static void *target(int fn) {
  static int ready; /* written once to 1; a second lookup by a racing thread finds the same */
  if (!__atomic_load_n(&ready, __ATOMIC_ACQUIRE) && kahook_find_real() == 0) __atomic_store_n(&ready, 1, __ATOMIC_RELEASE);
  if (__atomic_load_n(&ready, __ATOMIC_ACQUIRE) && kahook_real[fn]) return kahook_wrapper[fn];
  return dlsym(RTLD_NEXT, kahook_names[fn]);
}

/* Calls fn's target with the arguments, or fails with ENOSYS when there is none at all. */
#define CALL(fn, type, ...)                                        \
  do {                                                             \
    type *f = (type *)target(fn);                                  \
    if (f) return f(__VA_ARGS__);                                  \
    errno = ENOSYS;                                                \
    return -1;                                                     \
  } while (0)

KAHOOK_EXPORT int socket(int domain, int type, int protocol) { CALL(FN_SOCKET, socket_fn, domain, type, protocol); }

KAHOOK_EXPORT int connect(int fd, const struct sockaddr *to, socklen_t length) {
  CALL(FN_CONNECT, connect_fn, fd, to, length);
}

KAHOOK_EXPORT int listen(int fd, int backlog) { CALL(FN_LISTEN, listen_fn, fd, backlog); }

KAHOOK_EXPORT int accept(int fd, struct sockaddr *from, socklen_t *length) {
  CALL(FN_ACCEPT, accept_fn, fd, from, length);
}

KAHOOK_EXPORT int accept4(int fd, struct sockaddr *from, socklen_t *length, int flags) {
  CALL(FN_ACCEPT4, accept4_fn, fd, from, length, flags);
}

KAHOOK_EXPORT int setsockopt(int fd, int level, int name, const void *value, socklen_t length) {
  CALL(FN_SETSOCKOPT, setsockopt_fn, fd, level, name, value, length);
}

KAHOOK_EXPORT int close(int fd) { CALL(FN_CLOSE, close_fn, fd); }

KAHOOK_EXPORT int dup(int fd) { CALL(FN_DUP, dup_fn, fd); }

KAHOOK_EXPORT int dup2(int fd, int to) { CALL(FN_DUP2, dup2_fn, fd, to); }

KAHOOK_EXPORT int dup3(int fd, int to, int flags) { CALL(FN_DUP3, dup3_fn, fd, to, flags); }

/* The optional argument is an int or a pointer, in a register either way (x86_64, aarch64). */
KAHOOK_EXPORT int fcntl(int fd, int cmd, ...) {
  va_list arguments;
  va_start(arguments, cmd);
  void *argument = va_arg(arguments, void *);
  va_end(arguments);
  CALL(FN_FCNTL, fcntl_fn, fd, cmd, argument);
}

KAHOOK_EXPORT int fcntl64(int fd, int cmd, ...) {
  va_list arguments;
  va_start(arguments, cmd);
  void *argument = va_arg(arguments, void *);
  va_end(arguments);
  CALL(FN_FCNTL64, fcntl_fn, fd, cmd, argument);
}

KAHOOK_EXPORT int close_range(unsigned first, unsigned last, int flags) {
  CALL(FN_CLOSE_RANGE, close_range_fn, first, last, flags);
}
