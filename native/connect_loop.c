/* A C client program for the bench's "programs" part: CONNECTIONS loopback connections to its
 * own listener, each socket, connect, accept, close both, after WARMUP untimed ones. It sets no
 * option itself: whatever is set comes from a preloaded library (kahook's, libkeepalive's, the C
 * reference's), started the way a user would start it.
 * Usage: connect_loop CONNECTIONS WARMUP   (0 0: start-up only, a listener and no connection)
 * Prints {"connections": N, "nsPerConnection": ...}; nsPerConnection is 0 for 0 connections.
 *
 *   cc -O2 -Wall -Wextra -Werror -o connect_loop connect_loop.c
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static void fail(const char *what) {
  perror(what);
  exit(1);
}

static double now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e9 + t.tv_nsec;
}

/* A count from the command line: plain digits only, so that a typo fails instead of reading 0. */
static long count_of(const char *text) {
  char *end;
  long value = strtol(text, &end, 10);
  if (end == text || *end || value < 0) {
    fprintf(stderr, "connect_loop: %s is not a count\n", text);
    exit(2);
  }
  return value;
}

/* `connections` connections to the listener at `to`, socket to close. */
static void connect_many(int listener, const struct sockaddr_in *to, long connections) {
  for (long i = 0; i < connections; i++) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) fail("socket");
    if (connect(fd, (const struct sockaddr *)to, sizeof *to) != 0) fail("connect");
    int accepted = accept(listener, NULL, NULL);
    if (accepted < 0) fail("accept");
    close(accepted);
    close(fd);
  }
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s CONNECTIONS WARMUP\n", argv[0]);
    return 2;
  }
  long connections = count_of(argv[1]), warmup = count_of(argv[2]);

  /* Port 0: the kernel picks a free port, read back with getsockname. */
  struct sockaddr_in to = {.sin_family = AF_INET, .sin_addr = {htonl(INADDR_LOOPBACK)}};
  socklen_t length = sizeof to;
  int listener = socket(AF_INET, SOCK_STREAM, 0);
  if (listener < 0 || bind(listener, (struct sockaddr *)&to, length) != 0 || listen(listener, 64) != 0 ||
      getsockname(listener, (struct sockaddr *)&to, &length) != 0)
    fail("listener");

  connect_many(listener, &to, warmup);
  double started = now_ns();
  connect_many(listener, &to, connections);
  double ns = now_ns() - started;
  close(listener);
  printf("{\"connections\": %ld, \"nsPerConnection\": %.1f}\n", connections, connections ? ns / connections : 0.0);
  return 0;
}
