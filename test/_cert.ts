import { execFileSync } from "../src/host/spawn.ts";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A fresh self-signed certificate for 127.0.0.1, made with openssl; paths to its key and cert. */
export function selfSignedCert(): { KAHOOK_TEST_KEY: string; KAHOOK_TEST_CERT: string } {
  const dir = mkdtempSync(join(tmpdir(), "kahook-cert-"));
  const key = join(dir, "key.pem");
  const cert = join(dir, "cert.pem");
  execFileSync("openssl", [
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-days",
    "1",
    "-subj",
    "/CN=127.0.0.1",
    "-addext",
    "subjectAltName=IP:127.0.0.1",
    "-keyout",
    key,
    "-out",
    cert,
  ], { stdio: "ignore" });
  return { KAHOOK_TEST_KEY: key, KAHOOK_TEST_CERT: cert };
}
