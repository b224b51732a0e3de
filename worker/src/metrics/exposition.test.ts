import { describe, expect, it } from "vitest";
import { exposition, formatFor, type MetricFamily } from "./exposition.js";

const text = (families: MetricFamily[], format: "openmetrics" | "prometheus" = "openmetrics") => [...exposition(families, format)].join("");

const temperature: MetricFamily = {
  name: "jetson_temperature_celsius",
  type: "gauge",
  unit: "celsius",
  help: "Temperature by thermal zone.",
  samples: [
    { labels: { device: "cam-1", zone: "cpu" }, value: 45.5 },
    { labels: { device: "cam-1", zone: "gpu" }, value: 44 },
  ],
};

describe("exposition", () => {
  it("writes OpenMetrics: HELP, TYPE and UNIT once per family, its samples together, and # EOF last", () => {
    expect(text([temperature, { name: "jetson_fleet_devices", type: "gauge", help: "Devices.", samples: [{ labels: {}, value: 3 }] }])).toBe(
      [
        "# HELP jetson_temperature_celsius Temperature by thermal zone.",
        "# TYPE jetson_temperature_celsius gauge",
        "# UNIT jetson_temperature_celsius celsius",
        'jetson_temperature_celsius{device="cam-1",zone="cpu"} 45.5',
        'jetson_temperature_celsius{device="cam-1",zone="gpu"} 44',
        "# HELP jetson_fleet_devices Devices.",
        "# TYPE jetson_fleet_devices gauge",
        "jetson_fleet_devices 3",
        "# EOF",
        "",
      ].join("\n"),
    );
  });

  it("writes Prometheus text 0.0.4 without UNIT or # EOF", () => {
    expect(text([temperature], "prometheus")).toBe(
      [
        "# HELP jetson_temperature_celsius Temperature by thermal zone.",
        "# TYPE jetson_temperature_celsius gauge",
        'jetson_temperature_celsius{device="cam-1",zone="cpu"} 45.5',
        'jetson_temperature_celsius{device="cam-1",zone="gpu"} 44',
        "",
      ].join("\n"),
    );
  });

  it("names an info family's samples with _info, and writes it as a gauge in Prometheus text", () => {
    const mode: MetricFamily = { name: "jetson_power_mode", type: "info", help: "Mode.", samples: [{ labels: { mode: "MAXN" }, value: 1 }] };
    expect(text([mode])).toBe('# HELP jetson_power_mode Mode.\n# TYPE jetson_power_mode info\njetson_power_mode_info{mode="MAXN"} 1\n# EOF\n');
    expect(text([mode], "prometheus")).toBe('# HELP jetson_power_mode_info Mode.\n# TYPE jetson_power_mode_info gauge\njetson_power_mode_info{mode="MAXN"} 1\n');
  });

  it("escapes backslash, double quote and line feed in label values", () => {
    const odd: MetricFamily = { ...temperature, samples: [{ labels: { zone: 'a\\b"c\nd' }, value: 1 }] };
    expect(text([odd])).toContain('jetson_temperature_celsius{zone="a\\\\b\\"c\\nd"} 1\n');
  });

  it("escapes HELP as each format asks: OpenMetrics also the double quote, Prometheus text only backslash and line feed", () => {
    const help: MetricFamily = { ...temperature, help: 'say "hi"\\\nbye' };
    expect(text([help])).toContain('# HELP jetson_temperature_celsius say \\"hi\\"\\\\\\nbye\n');
    expect(text([help], "prometheus")).toContain('# HELP jetson_temperature_celsius say "hi"\\\\\\nbye\n');
  });

  it("writes special values as the formats spell them", () => {
    const values = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e21, -0.000125].map((value, i) => ({ labels: { i: String(i) }, value }));
    const lines = text([{ ...temperature, samples: values }]).split("\n").filter((line) => !line.startsWith("#") && line !== "");
    expect(lines.map((line) => line.split(" ")[1])).toEqual(["NaN", "+Inf", "-Inf", "1e+21", "-0.000125"]);
  });

  it("leaves out a family without samples, and still ends with # EOF", () => {
    expect(text([{ ...temperature, samples: [] }])).toBe("# EOF\n");
  });

  it("refuses a family whose name does not end with its unit, and invalid names", () => {
    expect(() => text([{ ...temperature, name: "jetson_temperature" }])).toThrow(/does not end with its unit celsius/);
    expect(() => text([{ ...temperature, unit: undefined, name: "jetson-temperature" }])).toThrow(/Invalid metric name/);
    expect(() => text([{ ...temperature, samples: [{ labels: { "zone-name": "cpu" }, value: 1 }] }])).toThrow(/Invalid label name/);
  });
});

describe("formatFor", () => {
  it("answers Prometheus 2.42's Accept with OpenMetrics", () => {
    expect(formatFor("application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1")).toBe(
      "openmetrics",
    );
  });

  it("answers a scraper that asks only for Prometheus text with it, and anyone else with OpenMetrics", () => {
    expect(formatFor("text/plain;version=0.0.4")).toBe("prometheus");
    expect(formatFor("text/plain; version=0.0.4; charset=utf-8, */*;q=0.1")).toBe("prometheus");
    expect(formatFor(undefined)).toBe("openmetrics");
    expect(formatFor("*/*")).toBe("openmetrics");
  });
});
