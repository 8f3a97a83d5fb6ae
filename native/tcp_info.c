/* Prints TCP_INFO and the byte offsets of struct tcp_info's members as JSON, so that a test can
 * check src/sys/tcp-info.ts against this system's headers. Used by tests only. */
#include <linux/tcp.h>
#include <stddef.h>
#include <stdio.h>

#define OFFSET(member) printf(",\n  \"%s\": %zu", #member, offsetof(struct tcp_info, member))

int main(void) {
  printf("{\n  \"TCP_INFO\": %d", TCP_INFO);
  OFFSET(tcpi_state);
  OFFSET(tcpi_retransmits);
  OFFSET(tcpi_probes);
  OFFSET(tcpi_rto);
  OFFSET(tcpi_unacked);
  OFFSET(tcpi_last_data_sent);
  OFFSET(tcpi_last_data_recv);
  OFFSET(tcpi_last_ack_recv);
  OFFSET(tcpi_rtt);
  OFFSET(tcpi_total_retrans);
  printf("\n}\n");
  return 0;
}
