import type { Target } from "../fd/index.ts";
import { SOL_SOCKET } from "../sys/linux.ts";
import { BPF_RET_K, SO_ATTACH_FILTER, SOCK_FILTER, SOCK_FPROG } from "../sys/socket-filter.ts";
import { linuxSocketCall } from "./syscall.ts";

/** One classic BPF instruction, `ret #0`: keep 0 bytes of every packet, i.e. drop it. */
function dropAllProgram(): Uint8Array {
  const program = new Uint8Array(new ArrayBuffer(SOCK_FILTER.size));
  const view = new DataView(program.buffer);
  view.setUint16(SOCK_FILTER.code, BPF_RET_K, true);
  view.setUint32(SOCK_FILTER.k, 0, true);
  return program;
}

/**
 * Makes the socket's end of the connection vanish: every packet that reaches it from now on is
 * dropped before TCP sees it, so the other end's keepalive probes and retransmissions go
 * unanswered, as behind a NAT gateway that forgot the flow. Linux only; needs CAP_NET_ADMIN in
 * the socket's network namespace (root, or root of a user namespace: `unshare -Urn`).
 */
export function dropAllTraffic(target: Target): void {
  linuxSocketCall(target, "setsockopt", "SO_ATTACH_FILTER", (libc, fd) => {
    const program = dropAllProgram();
    const fprog = new Uint8Array(new ArrayBuffer(SOCK_FPROG.size));
    const view = new DataView(fprog.buffer);
    view.setUint16(SOCK_FPROG.len, 1, true);
    // The kernel copies the program during this setsockopt, so `program` need not outlive it.
    view.setBigUint64(SOCK_FPROG.filter, libc.address(program), true);
    return libc.setsockoptBytes(fd, SOL_SOCKET, SO_ATTACH_FILTER, fprog);
  }, { EPERM: "attaching a socket filter needs CAP_NET_ADMIN (root, or `unshare -Urn`)" });
}
