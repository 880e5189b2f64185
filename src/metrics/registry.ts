/**
 * A small Prometheus-style registry of counters and gauges, made once per
 * daemon (no module-level state), rendered in the text exposition format
 * (`# HELP`, `# TYPE`, `name{label="v"} value`).
 *
 * @module
 */

/** Label names to values. */
export type Labels = Record<string, string>;

interface Family {
  name: string;
  help: string;
  type: "counter" | "gauge";
  labelled: boolean;
  values: Map<string, { labels: Labels; value: number }>;
}

/** A monotonically increasing count. */
export interface Counter {
  inc(labels?: Labels, by?: number): void;
  get(labels?: Labels): number;
}

/** A value that goes up and down; {@linkcode Gauge.reset} drops every series. */
export interface Gauge {
  set(value: number, labels?: Labels): void;
  get(labels?: Labels): number | undefined;
  reset(): void;
}

/** Escape a label value per the exposition format. */
export function escapeLabel(value: string): string {
  if (!/[\\\n"]/.test(value)) return value;
  return value.replaceAll("\\", "\\\\").replaceAll("\n", "\\n").replaceAll(
    '"',
    '\\"',
  );
}

function key(labels: Labels): string {
  const names = Object.keys(labels);
  if (names.length > 1) names.sort();
  let out = "";
  for (const k of names) {
    out += `${out === "" ? "" : ","}${k}="${escapeLabel(labels[k])}"`;
  }
  return out;
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  return String(v);
}

/** Counters and gauges by name, in registration order. */
export class MetricsRegistry {
  #families = new Map<string, Family>();

  #family(
    name: string,
    help: string,
    type: Family["type"],
    labelled: boolean,
  ): Family {
    if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(name)) {
      throw new Error(`bad metric name ${JSON.stringify(name)}`);
    }
    const had = this.#families.get(name);
    if (had) {
      if (had.type !== type) {
        throw new Error(`metric ${name} is a ${had.type}, not a ${type}`);
      }
      return had;
    }
    const fam: Family = { name, help, type, labelled, values: new Map() };
    this.#families.set(name, fam);
    return fam;
  }

  /**
   * A counter (registered once; asking again returns the same series). An
   * unlabelled counter shows `0` before its first increment.
   */
  counter(name: string, help: string, labelled = false): Counter {
    const fam = this.#family(name, help, "counter", labelled);
    return {
      inc(labels: Labels = {}, by = 1) {
        if (!(by >= 0)) return;
        const k = key(labels);
        const cur = fam.values.get(k);
        if (cur) cur.value += by;
        else fam.values.set(k, { labels: { ...labels }, value: by });
      },
      get(labels: Labels = {}) {
        return fam.values.get(key(labels))?.value ?? 0;
      },
    };
  }

  /** A gauge (registered once; asking again returns the same series). */
  gauge(name: string, help: string): Gauge {
    const fam = this.#family(name, help, "gauge", true);
    return {
      set(value: number, labels: Labels = {}) {
        fam.values.set(key(labels), { labels: { ...labels }, value });
      },
      get(labels: Labels = {}) {
        return fam.values.get(key(labels))?.value;
      },
      reset() {
        fam.values.clear();
      },
    };
  }

  /** Everything in the Prometheus text format (ends with a newline). */
  render(): string {
    const out: string[] = [];
    for (const fam of this.#families.values()) {
      out.push(`# HELP ${fam.name} ${fam.help.replaceAll("\n", " ")}`);
      out.push(`# TYPE ${fam.name} ${fam.type}`);
      const series = [...fam.values.entries()].sort(([a], [b]) =>
        a < b ? -1 : a > b ? 1 : 0
      );
      if (series.length === 0 && !fam.labelled) {
        out.push(`${fam.name} 0`);
      }
      for (const [k, s] of series) {
        out.push(
          `${fam.name}${k ? `{${k}}` : ""} ${formatValue(s.value)}`,
        );
      }
    }
    return out.join("\n") + "\n";
  }
}
