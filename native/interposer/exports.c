/* libkahook.so's own definitions of the wrapped socket functions. Preloaded, the library comes
 * first in the program's symbol scope, so every object binds these, those the program dlopens
 * later included, whatever their RUNPATH (which keeps kahook's dlopen wrapper out of them). A
 * call before the constructor has run (from another object's constructor) finds libc's
 * functions first. No _GNU_SOURCE here: glibc then declares sockaddr arguments as plain
 * pointers, as these definitions take them. */
#include <stddef.h>
#include <sys/socket.h>
#include <unistd.h>
#include "kahook.h"

static void *wrapper(int fn) {
  if (!kahook_real[fn]) kahook_find_real();
  return kahook_wrapper[fn];
}

KAHOOK_EXPORT int socket(int domain, int type, int protocol) {
  return ((socket_fn *)wrapper(FN_SOCKET))(domain, type, protocol);
}

KAHOOK_EXPORT int connect(int fd, const struct sockaddr *to, socklen_t length) {
  return ((connect_fn *)wrapper(FN_CONNECT))(fd, to, length);
}

KAHOOK_EXPORT int listen(int fd, int backlog) { return ((listen_fn *)wrapper(FN_LISTEN))(fd, backlog); }

KAHOOK_EXPORT int accept(int fd, struct sockaddr *from, socklen_t *length) {
  return ((accept_fn *)wrapper(FN_ACCEPT))(fd, from, length);
}

KAHOOK_EXPORT int accept4(int fd, struct sockaddr *from, socklen_t *length, int flags) {
  return ((accept4_fn *)wrapper(FN_ACCEPT4))(fd, from, length, flags);
}

KAHOOK_EXPORT int close(int fd) { return ((close_fn *)wrapper(FN_CLOSE))(fd); }

KAHOOK_EXPORT int setsockopt(int fd, int level, int name, const void *value, socklen_t length) {
  return ((setsockopt_fn *)wrapper(FN_SETSOCKOPT))(fd, level, name, value, length);
}
