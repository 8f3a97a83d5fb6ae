/* What the bench's C programs share: a loopback listener and a loop of connections to it
 * (socket, connect, accept, close both), timed in ns. Header-only, each program is one file. */
#ifndef KAHOOK_LOOPBACK_H
#define KAHOOK_LOOPBACK_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

typedef int connect_fn(int, const struct sockaddr *, socklen_t);

/* libkeepalive's defaults: SO_KEEPALIVE 1, TCP_KEEPIDLE 15 s, TCP_KEEPINTVL 15 s, TCP_KEEPCNT 9, TCP_USER_TIMEOUT 150000 ms. */
static const int DEFAULT_SETTINGS[5][3] = {{SOL_SOCKET, SO_KEEPALIVE, 1}, {IPPROTO_TCP, TCP_KEEPIDLE, 15},
                                           {IPPROTO_TCP, TCP_KEEPINTVL, 15}, {IPPROTO_TCP, TCP_KEEPCNT, 9},
                                           {IPPROTO_TCP, TCP_USER_TIMEOUT, 150000}};

static void fail(const char *what) {
  perror(what);
  exit(1);
}

static double now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e9 + t.tv_nsec;
}

/* A listener on 127.0.0.1 and a port the kernel picked, written to *to. */
static int loopback_listener(struct sockaddr_in *to) {
  socklen_t length = sizeof *to;
  *to = (struct sockaddr_in){.sin_family = AF_INET, .sin_addr = {htonl(INADDR_LOOPBACK)}};
  int listener = socket(AF_INET, SOCK_STREAM, 0);
  if (listener < 0 || bind(listener, (struct sockaddr *)to, length) != 0 || listen(listener, 64) != 0 ||
      getsockname(listener, (struct sockaddr *)to, &length) != 0)
    fail("listener");
  return listener;
}

/* ns per connection over `count` connections to the listener at `to`, made with `connect_with`,
 * each client given DEFAULT_SETTINGS first when `set_options`; 0 for no connection. */
static double connections(int listener, const struct sockaddr_in *to, long count, int set_options, connect_fn *connect_with) {
  double started = now_ns();
  for (long i = 0; i < count; i++) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) fail("socket");
    for (int s = 0; set_options && s < 5; s++)
      if (setsockopt(fd, DEFAULT_SETTINGS[s][0], DEFAULT_SETTINGS[s][1], &DEFAULT_SETTINGS[s][2], sizeof(int)) != 0) fail("setsockopt");
    if (connect_with(fd, (const struct sockaddr *)to, sizeof *to) != 0) fail("connect");
    int accepted = accept(listener, NULL, NULL);
    if (accepted < 0) fail("accept");
    close(accepted);
    close(fd);
  }
  return count ? (now_ns() - started) / count : 0.0;
}

#endif
