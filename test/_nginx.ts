/**
 * A real nginx on loopback (test/_servers.ts), for the tests of `kahook run` around a server:
 * Debian's nginx, serving a site the test writes.
 * @module
 */
import { Buffer } from "node:buffer";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { exchange, findCommand, HOST, type RunningServer, serve, type StartOptions } from "./_servers.ts";

/** What one nginx server block holds, besides `listen 127.0.0.1:PORT` and the readiness location. */
export interface NginxSite {
  /** Directives inside http {}, before the server block: upstream blocks, say. */
  http?: string;
  /** Parameters after `listen 127.0.0.1:PORT`, such as `so_keepalive=30:10:5`. */
  listen?: string;
  /** Directives inside server {}: the locations. */
  server: string;
}

/** A location nginx answers itself, so that readiness probes reach no upstream. */
const NGINX_READY = "/kahook-ready";

/**
 * Starts nginx in the foreground (`daemon off`) with a master and one worker process, every file
 * (configuration, pid, logs, temporary directories) in a fresh temporary directory, listening on
 * HOST and a free port. As root its worker runs as root too (`user root`), not as nobody, so
 * that it may use that directory. Stopped with SIGTERM, nginx's fast shutdown.
 */
export async function startNginx(site: NginxSite, options: StartOptions = {}): Promise<RunningServer> {
  const started = performance.now();
  const binary = findCommand("nginx", "nginx");
  return await serve({
    name: "nginx",
    started,
    command: (port, dir) => {
      const file = (name: string) => join(dir, name);
      writeFileSync(file("nginx.conf"), nginxConfig(dir, port, site));
      // -e: the error log of the start-up, before nginx.conf is read (Debian's default is under /var/log).
      return { binary, args: ["-p", dir, "-c", file("nginx.conf"), "-e", file("error.log")] };
    },
    url: (port) => `http://${HOST}:${port}/`,
    ready: async (port) => {
      const request = Buffer.from(`GET ${NGINX_READY} HTTP/1.1\r\nHost: ${HOST}\r\nConnection: close\r\n\r\n`);
      return (await exchange(port, request, (received) => received.includes("\r\n\r\n"))).toString("latin1")
        .startsWith("HTTP/1.1 204");
    },
    stopSignal: "SIGTERM",
    ...options,
  });
}

function nginxConfig(dir: string, port: number, { http = "", listen = "", server }: NginxSite): string {
  const file = (name: string) => join(dir, name);
  return `daemon off;
master_process on;
worker_processes 1;
${process.getuid?.() === 0 ? "user root;" : ""}
pid ${file("nginx.pid")};
error_log ${file("error.log")} info;
events { worker_connections 64; }
http {
  access_log ${file("access.log")};
  client_body_temp_path ${file("client_body")};
  proxy_temp_path ${file("proxy")};
  fastcgi_temp_path ${file("fastcgi")};
  uwsgi_temp_path ${file("uwsgi")};
  scgi_temp_path ${file("scgi")};
  ${http}
  server {
    listen ${HOST}:${port} ${listen};
    location = ${NGINX_READY} { return 204; }
    ${server}
  }
}
`;
}
