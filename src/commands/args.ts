/** The one argument parser every subcommand uses, so that all read a command line alike. */
import { KahookError } from "../host/errors.ts";

/** A bad command line: the CLI prints it and exits EX_USAGE. */
export const usage = (message: string) => new KahookError("KAHOOK_ERR_USAGE", `${message}; see kahook --help`);

/** What a subcommand accepts besides -h and --help. */
export interface Spec {
  /** Options that take a value (`--idle 30` or `--idle=30`), each with the placeholder its help shows. */
  values?: Readonly<Record<string, string>>;
  /** Options that take none. */
  switches?: readonly string[];
  /** Its operands, by name, in order: ["PID"]; one in brackets may be left out: ["[COMMAND]"]. */
  operands?: readonly string[];
  /**
   * The name of the command line it runs (run's COMMAND): from the first operand or from after
   * "--" on, every argument is that program's, its own --help included.
   */
  command?: string;
}

export interface Parsed {
  /** -h or --help was given: print the help and do nothing else. */
  help: boolean;
  values: Record<string, string>;
  switches: Set<string>;
  operands: string[];
  command: string[];
}

export function parseArgs(args: readonly string[], spec: Spec): Parsed {
  const parsed: Parsed = { help: false, values: {}, switches: new Set(), operands: [], command: [] };
  let rest: readonly string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--") {
      rest = args.slice(i + 1);
      break;
    }
    if (!arg.startsWith("-")) {
      if (spec.command) {
        rest = args.slice(i);
        break;
      }
      parsed.operands.push(arg);
      continue;
    }
    const [flag, inline] = arg.split(/=(.*)/s, 2);
    if (flag === "--help" || flag === "-h") return { ...parsed, help: true };
    if (spec.switches?.includes(flag)) {
      if (inline !== undefined) throw usage(`${flag} takes no value`);
      parsed.switches.add(flag);
      continue;
    }
    const placeholder = spec.values?.[flag];
    if (placeholder === undefined) throw usage(`unknown option ${flag}`);
    const value = inline ?? args[++i];
    if (value === undefined) throw usage(`${flag} needs a value (${placeholder})`);
    parsed.values[flag] = value;
  }
  if (spec.command) parsed.command = [...rest];
  else parsed.operands.push(...rest);
  const names = spec.operands ?? [];
  const required = names.filter((name) => !name.startsWith("[")).length;
  if (parsed.operands.length < required) throw usage(`no ${names[parsed.operands.length]} given`);
  if (parsed.operands.length > names.length) {
    throw usage(`unexpected argument ${JSON.stringify(parsed.operands[names.length])}`);
  }
  if (spec.command && parsed.command.length === 0) throw usage(`no ${spec.command} given`);
  return parsed;
}
