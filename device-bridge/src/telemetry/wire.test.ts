import { decodeTelemetryPayload, encodeTelemetryBatch, type TimedSample } from "@jetson/protocol";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fixturesMissing, listFixtures, readFixture } from "../parsers/fixtures.js";
import { readTegrastatsLine } from "../parsers/tegrastats.js";

const T = Date.parse("2026-12-04T12:00:00Z");

/** Every sample the real boards' tegrastats lines give, timed a second apart, with the readings the sampler adds on some. */
function fixtureSamples(): TimedSample[] {
  const lines = listFixtures("tegrastats").flatMap((file) => readFixture("tegrastats", file).split("\n").filter((line) => line.trim() !== ""));
  return lines.map((line, index) => ({
    ...readTegrastatsLine(line).sample,
    t: T + index * 1_000,
    ...(index % 2 === 0 ? { disk: { usedMB: 20_480 + index, totalMB: 57_000 } } : {}),
    ...(index % 3 === 0 ? { fan: { pwmPct: 34, rpm: 2_210 } } : {}),
  }));
}

describe.skipIf(fixturesMissing("telemetry wire fixtures"))("telemetry wire encoding of the real boards' samples", () => {
  const samples = fixtureSamples();

  it("gives back every fixture sample exactly, alone and all in one batch", async () => {
    expect(samples.length).toBeGreaterThanOrEqual(20);
    for (const sample of samples) expect(await decodeTelemetryPayload(await encodeTelemetryBatch({ samples: [sample] }))).toStrictEqual({ samples: [sample] });
    expect(await decodeTelemetryPayload(await encodeTelemetryBatch({ samples }))).toStrictEqual({ samples });
  });

  it("gives back any batch of them exactly, in any order and with any times", async () => {
    const batch = fc.array(fc.tuple(fc.constantFrom(...samples), fc.integer({ min: 0, max: 2 ** 45 })), { maxLength: 40 });
    await fc.assert(
      fc.asyncProperty(batch, async (picked) => {
        const timed = picked.map(([sample, t]) => ({ ...sample, t }));
        expect(await decodeTelemetryPayload(await encodeTelemetryBatch({ samples: timed }))).toStrictEqual({ samples: timed });
      }),
      { numRuns: 200 },
    );
  });
});
