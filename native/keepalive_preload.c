/* The C reference the benchmarks compare kahook with: an LD_PRELOAD library with
 * libkeepalive's environment semantics (same variables, defaults and derivation), which sets
 * the options before connect(2) and listen(2). Benchmarks only; kahook never loads it.
 *
 *   cc -O2 -shared -fPIC -o keepalive_preload.so keepalive_preload.c -ldl
 *   LD_PRELOAD=./keepalive_preload.so KAHOOK_MODE=connect node app.js
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

struct option {
  const char *variable;
  int name;
  int value; /* in the kernel's unit; 0 leaves the option to the system */
};

/* libkeepalive's defaults: 15 s idle, 15 s interval, 9 probes, derived user timeout. */
static struct option options[] = {
    {"TCP_KEEPIDLE", TCP_KEEPIDLE, 15},
    {"TCP_KEEPCNT", TCP_KEEPCNT, 9},
    {"TCP_KEEPINTVL", TCP_KEEPINTVL, 15},
    {"TCP_USER_TIMEOUT", TCP_USER_TIMEOUT, -1},
    {"TCP_SYNCNT", TCP_SYNCNT, 0},
    {"TCP_DEFER_ACCEPT", TCP_DEFER_ACCEPT, 0},
    {"TCP_MAXSEG", TCP_MAXSEG, 0},
    {"TCP_WINDOW_CLAMP", TCP_WINDOW_CLAMP, 0},
};
enum { IDLE, COUNT, INTERVAL, USER_TIMEOUT, OPTION_COUNT = sizeof(options) / sizeof(options[0]) };

static int (*real_connect)(int, const struct sockaddr *, socklen_t);
static int (*real_listen)(int, int);
static int hook_connect = 1, hook_listen = 1;

__attribute__((constructor)) static void init(void) {
  for (int i = 0; i < OPTION_COUNT; i++) {
    const char *raw = getenv(options[i].variable);
    if (raw) options[i].value = (int)strtol(raw, NULL, 10);
  }
  if (options[USER_TIMEOUT].value < 0) /* ms */
    options[USER_TIMEOUT].value =
        (options[IDLE].value + options[INTERVAL].value * options[COUNT].value) * 1000;
  const char *mode = getenv("KAHOOK_MODE");
  if (mode && strcmp(mode, "connect") == 0) hook_listen = 0;
  if (mode && strcmp(mode, "listen") == 0) hook_connect = 0;
  real_connect = (int (*)(int, const struct sockaddr *, socklen_t))dlsym(RTLD_NEXT, "connect");
  real_listen = (int (*)(int, int))dlsym(RTLD_NEXT, "listen");
}

static void configure(int fd) {
  int saved = errno, on = 1;
  if (setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on)) == 0) {
    for (int i = 0; i < OPTION_COUNT; i++)
      if (options[i].value > 0)
        (void)setsockopt(fd, IPPROTO_TCP, options[i].name, &options[i].value, sizeof(int));
  }
  errno = saved;
}

static int is_inet(const struct sockaddr *addr) {
  return addr && (addr->sa_family == AF_INET || addr->sa_family == AF_INET6);
}

int connect(int fd, const struct sockaddr *addr, socklen_t length) {
  if (hook_connect && is_inet(addr)) configure(fd);
  return real_connect(fd, addr, length);
}

int listen(int fd, int backlog) {
  struct sockaddr_storage local;
  socklen_t length = sizeof(local);
  if (hook_listen && getsockname(fd, (struct sockaddr *)&local, &length) == 0 && is_inet((struct sockaddr *)&local))
    configure(fd);
  return real_listen(fd, backlog);
}
