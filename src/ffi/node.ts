import { builtin } from "../runtime.ts";
import { type Libc, libcFrom } from "./libc.ts";

type Koffi = typeof import("koffi");

/** koffi backend for Node. koffi costs 8–15 ms to load, so it is required on first use only. */
export function openKoffi(path: string): Libc {
  const koffi: Koffi = builtin("node:module").createRequire(import.meta.url)("koffi");
  const lib = koffi.load(path);
  return libcFrom({
    socket: lib.func("int socket(int domain, int type, int protocol)"),
    setsockopt: lib.func("int setsockopt(int fd, int level, int name, void *value, uint32_t length)"),
    getsockopt: lib.func("int getsockopt(int fd, int level, int name, void *value, void *length)"),
    close: lib.func("int close(int fd)"),
    getsockname: lib.func("int getsockname(int fd, void *address, void *length)"),
    getpeername: lib.func("int getpeername(int fd, void *address, void *length)"),
    syscall: lib.func("long syscall(long number, long a, long b, long c)"),
    errno: () => koffi.errno(),
    address: (buffer) => koffi.address(buffer),
  });
}
