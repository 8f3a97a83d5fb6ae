/* Prints, as JSON, the Linux ABI that the dead-peer simulation transcribes in
 * src/deadpeer/linux.ts, and the TCP state numbers of src/sys/tcp-info.ts, so that a test can
 * compare. Used by tests only. */
#include <linux/filter.h>
#include <netinet/tcp.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/socket.h>

#define FIELD(type, key, member) printf(", \"%s\": %zu", key, offsetof(type, member))

int main(void) {
  printf("{\"SO_ATTACH_FILTER\": %d, \"BPF_RET_K\": %d,\n", SO_ATTACH_FILTER, BPF_RET | BPF_K);

  printf(" \"SOCK_FILTER\": {\"size\": %zu", sizeof(struct sock_filter));
  FIELD(struct sock_filter, "code", code);
  FIELD(struct sock_filter, "jt", jt);
  FIELD(struct sock_filter, "jf", jf);
  FIELD(struct sock_filter, "k", k);

  printf("},\n \"SOCK_FPROG\": {\"size\": %zu", sizeof(struct sock_fprog));
  FIELD(struct sock_fprog, "len", len);
  FIELD(struct sock_fprog, "filter", filter);

  printf("},\n \"TCP_STATES\": {\"ESTABLISHED\": %d, \"SYN_SENT\": %d, \"SYN_RECV\": %d, \"FIN_WAIT1\": %d, "
         "\"FIN_WAIT2\": %d, \"TIME_WAIT\": %d, \"CLOSE\": %d, \"CLOSE_WAIT\": %d, \"LAST_ACK\": %d, "
         "\"LISTEN\": %d, \"CLOSING\": %d}}\n",
         TCP_ESTABLISHED, TCP_SYN_SENT, TCP_SYN_RECV, TCP_FIN_WAIT1, TCP_FIN_WAIT2, TCP_TIME_WAIT, TCP_CLOSE,
         TCP_CLOSE_WAIT, TCP_LAST_ACK, TCP_LISTEN, TCP_CLOSING);
  return 0;
}
