import { KahookError, show } from "../host/errors.ts";
import type { Env } from "./env.ts";

/** A middlebox that silently drops idle TCP flows, and the settings that keep flows through it alive. */
export interface Profile {
  /** KAHOOK_PROFILE's value. */
  name: string;
  middlebox: string;
  /** How long it keeps an idle flow, s (the default where it can be changed). */
  idleTimeout: number;
  /** Where the idle timeout is documented. */
  source: string;
  /** libkeepalive's variables in their units (s, probes); TCP_USER_TIMEOUT is derived from them. */
  variables: Record<"TCP_KEEPIDLE" | "TCP_KEEPINTVL" | "TCP_KEEPCNT", string>;
}

/**
 * Each preset sends its first probe well inside the idle timeout, and notices a dead peer
 * (idle + interval × count) before the middlebox would have dropped the flow anyway.
 */
const PROBE_EACH_MINUTE = { TCP_KEEPIDLE: "60", TCP_KEEPINTVL: "10", TCP_KEEPCNT: "6" };

export const PROFILES: readonly Profile[] = [
  {
    name: "aws-nlb",
    middlebox: "AWS Network Load Balancer, TCP listener",
    idleTimeout: 350,
    source:
      "https://docs.aws.amazon.com/elasticloadbalancing/latest/network/network-load-balancers.html#connection-idle-timeout",
    variables: PROBE_EACH_MINUTE,
  },
  {
    name: "aws-nat",
    middlebox: "AWS NAT gateway",
    idleTimeout: 350,
    source:
      "https://docs.aws.amazon.com/vpc/latest/userguide/nat-gateway-troubleshooting.html#nat-gateway-troubleshooting-timeout",
    variables: PROBE_EACH_MINUTE,
  },
  {
    name: "azure-lb",
    middlebox: "Azure Load Balancer",
    idleTimeout: 240,
    source: "https://learn.microsoft.com/en-us/azure/load-balancer/load-balancer-tcp-idle-timeout",
    variables: PROBE_EACH_MINUTE,
  },
  {
    name: "azure-nat",
    middlebox: "Azure NAT Gateway",
    idleTimeout: 240,
    source: "https://learn.microsoft.com/en-us/azure/nat-gateway/nat-gateway-resource#tcp-idle-timeout",
    variables: PROBE_EACH_MINUTE,
  },
  {
    name: "gcp-lb",
    middlebox: "Google Cloud VPC connection tracking",
    idleTimeout: 600,
    source: "https://cloud.google.com/firewall/docs/firewalls#specifications",
    variables: { TCP_KEEPIDLE: "120", TCP_KEEPINTVL: "15", TCP_KEEPCNT: "6" },
  },
];

/**
 * The environment with KAHOOK_PROFILE's values filled in where the variable itself is unset:
 * an explicit variable always wins over the preset. An unknown profile is an error naming it.
 */
export function withProfile(env: Env): Env {
  const name = env.KAHOOK_PROFILE;
  if (name === undefined) return env;
  const profile = PROFILES.find((candidate) => candidate.name === name);
  if (!profile) {
    throw new KahookError(
      "KAHOOK_ERR_INVALID_ENV",
      `KAHOOK_PROFILE=${show(name)} is not valid: expected one of ${PROFILES.map((known) => known.name).join(", ")}`,
      { variable: "KAHOOK_PROFILE" },
    );
  }
  const filled: Env = { ...env };
  for (const [variable, value] of Object.entries(profile.variables)) filled[variable] ??= value;
  return filled;
}
