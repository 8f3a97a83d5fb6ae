import type { Libc } from "../ffi/libc.ts";
import { host } from "../host/host.ts";
import { facility } from "../sys/index.ts";
import { processError } from "./pidfd.ts";

/** sizeof(struct iovec) on 64-bit Linux: void *iov_base, size_t iov_len. */
const IOVEC_BYTES = 16;

/**
 * `length` bytes of process pid's memory from `address`, read with process_vm_readv(2): the
 * process is not stopped or signalled. It needs the permission pidfd_getfd needs (ptrace over
 * pid); a range the process has not mapped fails with EFAULT.
 */
export function readMemory(libc: Libc, pid: number, address: bigint, length: number): Uint8Array {
  const number = facility("syscalls").processVmReadv[host.arch];
  if (number === undefined) throw processError("process_vm_readv", `process_vm_readv on ${host.arch}`, "ENOSYS");
  // Buffers of their own ArrayBuffer, outside V8's moving heap: the kernel writes to their addresses.
  const bytes = new Uint8Array(new ArrayBuffer(length));
  const vectors = new Uint8Array(new ArrayBuffer(2 * IOVEC_BYTES));
  // [0] this process's buffer, [1] the range of pid's memory.
  new BigUint64Array(vectors.buffer).set([libc.address(bytes), BigInt(length), address, BigInt(length)]);
  const local = libc.address(vectors);
  const read = libc.syscall(number, pid, local, 1, local + BigInt(IOVEC_BYTES), 1, 0);
  const what = `process_vm_readv(${pid}, ${length} bytes at 0x${address.toString(16)})`;
  if (read < 0) throw processError("process_vm_readv", what, -read);
  // A range that ends past what the process has mapped is read in part.
  if (read < length) throw processError("process_vm_readv", what, "EFAULT");
  return bytes;
}
