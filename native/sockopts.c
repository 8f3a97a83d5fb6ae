/* Prints the socket option constants of this system's headers as JSON, so that a test can
 * check kahook's option table (src/sys/<os>.ts) against them. Used by tests only. */
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <sys/socket.h>

#define ENTRY(name) printf("%s\"%s\": %d", first ? "" : ",\n  ", #name, (int)(name)), first = 0

int main(void) {
  int first = 1;
  printf("{\n  ");
  ENTRY(SOL_SOCKET);
  ENTRY(IPPROTO_TCP);
  ENTRY(SO_KEEPALIVE);
#ifdef __linux__
  ENTRY(TCP_KEEPIDLE);
  ENTRY(TCP_USER_TIMEOUT);
  ENTRY(TCP_SYNCNT);
  ENTRY(TCP_DEFER_ACCEPT);
  ENTRY(TCP_WINDOW_CLAMP);
#endif
#ifdef __APPLE__
  ENTRY(TCP_KEEPALIVE);
#endif
  ENTRY(TCP_KEEPINTVL);
  ENTRY(TCP_KEEPCNT);
  ENTRY(TCP_MAXSEG);
  printf("\n}\n");
  return 0;
}
