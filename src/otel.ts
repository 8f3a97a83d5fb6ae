/**
 * `kahook/otel`: kahook's figures as OpenTelemetry metrics on meter `kahook`, from an
 * instrumentation registered as any other.
 *
 * @example
 * ```ts
 * import { PrometheusExporter } from "@opentelemetry/exporter-prometheus";
 * import { registerInstrumentations } from "@opentelemetry/instrumentation";
 * import { MeterProvider } from "@opentelemetry/sdk-metrics";
 * import { KahookInstrumentation } from "kahook/otel";
 *
 * const meterProvider = new MeterProvider({ readers: [new PrometheusExporter({ port: 9464 })] });
 * registerInstrumentations({ meterProvider, instrumentations: [new KahookInstrumentation()] });
 * ```
 * @module
 */
import type { Attributes, BatchObservableResult, Meter, MeterProvider, ObservableCounter } from "@opentelemetry/api";
import { packageVersion } from "./host/package.ts";
import { figuresBySet, type SetRow } from "./observe/stats.ts";

/** The instrumentation's configuration, as @opentelemetry/instrumentation's InstrumentationConfig. */
export interface KahookInstrumentationConfig {
  /** false: it reports nothing until enable() is called. Default true. */
  enabled?: boolean;
}

/** The counters on one meter. */
interface Counters {
  meter: Meter;
  configured: ObservableCounter;
  kept: ObservableCounter;
  dead: ObservableCounter;
}

function countersOn(meter: Meter): Counters {
  return {
    meter,
    configured: meter.createObservableCounter("kahook.sockets.configured", {
      unit: "{socket}",
      description: "Sockets on which kahook set every option: client connections and listening sockets",
    }),
    kept: meter.createObservableCounter("kahook.values.kept", {
      unit: "{call}",
      description: "Calls of the program, a library or the runtime whose value kahook replaced with the configured one",
    }),
    dead: meter.createObservableCounter("kahook.peers.dead", {
      unit: "{connection}",
      description: "Connections that ended timed out because their peer stopped answering (KAHOOK_METRICS=1)",
    }),
  };
}

/** A set's attributes: its direction, and its rule where it is a rule's (at most 62 rules: the series stay few). */
const setAttributes = ({ direction, rule }: SetRow): Attributes =>
  rule === undefined ? { "kahook.direction": direction } : { "kahook.direction": direction, "kahook.rule": rule };

/**
 * Reports what kahook did, read from its counters when the meter's readers collect, so that it
 * adds nothing per socket: `kahook.sockets.configured`, `kahook.values.kept` and
 * `kahook.peers.dead` (the last with KAHOOK_METRICS=1). It follows @opentelemetry/instrumentation's
 * Instrumentation interface, so that registerInstrumentations() and NodeSDK's `instrumentations`
 * take it; it patches no module and makes no spans. It reports once a meter provider is set,
 * which both do.
 */
export class KahookInstrumentation {
  readonly instrumentationName = "kahook";
  readonly instrumentationVersion: string = packageVersion() ?? "unknown";
  private config: KahookInstrumentationConfig = {};
  private counters?: Counters;
  private enabled = false;

  constructor(config: KahookInstrumentationConfig = {}) {
    this.setConfig(config);
    if (this.config.enabled) this.enable();
  }

  /** Reports on this provider's meter `kahook` from now on, instead of the previous provider's. */
  setMeterProvider(meterProvider: MeterProvider): void {
    if (this.enabled) this.stopObserving();
    this.counters = countersOn(meterProvider.getMeter(this.instrumentationName, this.instrumentationVersion));
    if (this.enabled) this.startObserving();
  }

  /** kahook makes no spans. */
  setTracerProvider(_tracerProvider: unknown): void {}

  getConfig(): KahookInstrumentationConfig {
    return this.config;
  }

  setConfig(config: KahookInstrumentationConfig): void {
    this.config = { enabled: true, ...config };
  }

  enable(): void {
    if (this.enabled) return;
    this.enabled = true;
    this.startObserving();
  }

  disable(): void {
    if (!this.enabled) return;
    this.enabled = false;
    this.stopObserving();
  }

  private startObserving(): void {
    if (!this.counters) return;
    const { meter, configured, kept, dead } = this.counters;
    meter.addBatchObservableCallback(this.observe, [configured, kept, dead]);
  }

  private stopObserving(): void {
    if (!this.counters) return;
    const { meter, configured, kept, dead } = this.counters;
    meter.removeBatchObservableCallback(this.observe, [configured, kept, dead]);
  }

  /** Called at each collection: one read of kahook's counters for all three. */
  private readonly observe = (result: BatchObservableResult): void => {
    const { configured, kept, dead } = this.counters!;
    const figures = figuresBySet();
    for (const row of figures.sets) {
      const attributes = setAttributes(row);
      result.observe(configured, row.configured, attributes);
      for (const [cause, count] of Object.entries(row.dead ?? {})) {
        result.observe(dead, count, { ...attributes, "kahook.cause": cause });
      }
    }
    for (const [option, count] of Object.entries(figures.kept)) {
      result.observe(kept, count, { "kahook.option": option });
    }
  };
}
