/* A C client program for the bench's "programs" part: CONNECTIONS loopback connections to its
 * own listener, each socket, connect, accept, close both, after WARMUP untimed ones. It sets no
 * option itself: whatever is set comes from a preloaded library (kahook's, libkeepalive's, the C
 * reference's), started the way a user would start it.
 * Usage: connect_loop CONNECTIONS WARMUP   (0 0: start-up only, a listener and no connection)
 * Prints {"connections": N, "nsPerConnection": ...}; nsPerConnection is 0 for 0 connections.
 *
 *   cc -O2 -Wall -Wextra -Werror -o connect_loop connect_loop.c   (beside loopback.h)
 */
#include "loopback.h"

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

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s CONNECTIONS WARMUP\n", argv[0]);
    return 2;
  }
  long count = count_of(argv[1]), warmup = count_of(argv[2]);

  struct sockaddr_in to;
  int listener = loopback_listener(&to);
  connections(listener, &to, warmup, 0, connect);
  double ns = connections(listener, &to, count, 0, connect);
  close(listener);
  printf("{\"connections\": %ld, \"nsPerConnection\": %.1f}\n", count, ns);
  return 0;
}
