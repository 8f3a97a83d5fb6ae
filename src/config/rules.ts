import { KahookError, show } from "../host/errors.ts";
import type { KeepAliveOptions } from "./options.ts";
import { builtin } from "../host/builtin.ts";

/**
 * Options for client connections to some destinations. A rule matches the address and port that
 * connect(2) is given, after name resolution: a host name could never match, so rules take
 * addresses. A rule has one matcher or both; an absent one matches any destination.
 */
export interface Rule {
  /** The remote port, 1..65535. */
  port?: number;
  /** The remote address, IPv4 or IPv6, or a block in CIDR notation: "10.0.0.0/8", "fd00::/8". */
  address?: string;
  /** The options for matching connections, in full: they replace the base options, not merge with them. */
  options: KeepAliveOptions;
}

/** The index of the first rule matching a destination, or -1. */
export type RuleMatcher = (address: string | undefined, port: number | undefined) => number;

/** An address block: its bytes (4 for IPv4, 16 for IPv6), zero after the prefix, and the prefix length in bits. */
export interface Network {
  bytes: Uint8Array;
  prefix: number;
}

const MAX_PORT = 65535;
/** Plain decimal digits only: "30s", "1e3", "0x10", "+5", " 5" and "" are all refused. */
export const DIGITS = /^[0-9]+$/;
/** An IPv4-mapped IPv6 address (::ffff:a.b.c.d) holds the IPv4 address in its last 4 bytes, after these 12. */
const MAPPED_PREFIX = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];

/**
 * The bytes of an IPv4 or IPv6 address, an IPv4-mapped IPv6 address as its IPv4 bytes (a
 * dual-stack socket reports an IPv4 peer so); undefined if it is not an address.
 */
function addressBytes(text: string): Uint8Array | undefined {
  const address = text.replace(/%.*$/, ""); // the zone of a link-local address (fe80::1%eth0) is not part of it
  if (builtin("node:net").isIPv4(address)) return Uint8Array.from(address.split("."), Number);
  if (!builtin("node:net").isIPv6(address)) return undefined;
  const bytes = ipv6Bytes(address);
  return MAPPED_PREFIX.every((byte, index) => bytes[index] === byte) ? bytes.subarray(MAPPED_PREFIX.length) : bytes;
}

/** The 16 bytes of a valid IPv6 address: "::" stands for the missing zero groups, a dotted tail for the last two. */
function ipv6Bytes(address: string): Uint8Array {
  const groups = (part: string): number[] => {
    if (part === "") return [];
    return part.split(":").flatMap((group) => {
      if (!group.includes(".")) return [parseInt(group, 16)];
      const [a, b, c, d] = group.split(".").map(Number);
      return [(a << 8) | b, (c << 8) | d];
    });
  };
  const [head, tail = ""] = address.split("::");
  const [first, last] = [groups(head), groups(tail)];
  const all = [...first, ...new Array<number>(8 - first.length - last.length).fill(0), ...last];
  return Uint8Array.from(all.flatMap((group) => [group >> 8, group & 0xff]));
}

/** The mask of byte `index` of an address under a /prefix: its bits inside the prefix. */
function byteMask(prefix: number, index: number): number {
  const bits = Math.min(Math.max(prefix - index * 8, 0), 8);
  return (0xff << (8 - bits)) & 0xff;
}

/** Parses "ADDRESS" or "ADDRESS/PREFIX"; throws the reason when it is neither. */
function parseNetwork(text: string): Network {
  const [address, prefixText, extra] = text.split("/");
  const bytes = addressBytes(address);
  const reject = (why: string) => invalid(`address ${show(text)}: ${why}`);
  if (!bytes || extra !== undefined) {
    throw reject("expected an IPv4 or IPv6 address, optionally /PREFIX (CIDR); host names are not resolved");
  }
  if (bytes.length === 4 && builtin("node:net").isIPv6(address)) {
    throw reject("write the IPv4 address; an IPv4-mapped IPv6 peer (::ffff:a.b.c.d) matches it");
  }
  const bits = bytes.length * 8;
  const prefix = prefixText === undefined ? bits : Number(prefixText);
  if (prefixText !== undefined && (!DIGITS.test(prefixText) || prefix > bits)) {
    throw reject(`the prefix must be 0..${bits}`);
  }
  const masked = bytes.map((byte, index) => byte & byteMask(prefix, index));
  // 10.0.0.1/8 is likely a slip for 10.0.0.0/8 or 10.0.0.1: refused rather than guessed.
  if (masked.some((byte, index) => byte !== bytes[index])) throw reject(`has bits set after the /${prefix} prefix`);
  return { bytes: masked, prefix };
}

function inNetwork(remote: Uint8Array, { bytes, prefix }: Network): boolean {
  return remote.length === bytes.length &&
    bytes.every((byte, index) => (remote[index] & byteMask(prefix, index)) === byte);
}

function invalid(reason: string): KahookError {
  return new KahookError("KAHOOK_ERR_INVALID_OPTION", reason, { option: "rules" });
}

/** Validates a port matcher; throws the reason. */
export function checkPort(port: unknown): number {
  if (typeof port !== "number" || !Number.isInteger(port) || port < 1 || port > MAX_PORT) {
    throw invalid(`port ${show(port)}: expected an integer 1..${MAX_PORT}`);
  }
  return port;
}

/** What a rule matches, checked: an absent part matches any destination. */
export interface Destination {
  port?: number;
  network?: Network;
}

/** One rule's destination, checked once; throws the reason. */
export function compileDestination(rule: Pick<Rule, "port" | "address">): Destination {
  const port = rule.port === undefined ? undefined : checkPort(rule.port);
  const network = rule.address === undefined ? undefined : parseNetwork(rule.address);
  if (port === undefined && network === undefined) throw invalid("a rule needs a port or an address to match");
  return { port, network };
}

/** One rule's matcher, checked once (throws the reason): true when a destination matches. */
export function compileMatcher(
  rule: Pick<Rule, "port" | "address">,
): (address: Uint8Array | undefined, port: number | undefined) => boolean {
  const { port, network } = compileDestination(rule);
  return (remote, remotePort) =>
    (port === undefined || remotePort === port) &&
    (network === undefined || (remote !== undefined && inNetwork(remote, network)));
}

/**
 * Validates the rules' matchers once and returns the function the hooks call per connection:
 * the first rule that matches wins. A rule's position in errors counts from 1.
 */
export function compileRules(rules: readonly Pick<Rule, "port" | "address">[]): RuleMatcher {
  const matchers = rules.map((rule, index) => {
    try {
      return compileMatcher(rule);
    } catch (error) {
      throw invalid(`rule ${index + 1}: ${(error as Error).message}`);
    }
  });
  if (matchers.length === 0) return () => -1;
  const byAddress = rules.some((rule) => rule.address !== undefined);
  return (address, port) => {
    // Parsed once per connection, and only when some rule looks at the address.
    const bytes = byAddress && address !== undefined ? addressBytes(address) : undefined;
    return matchers.findIndex((matches) => matches(bytes, port));
  };
}
