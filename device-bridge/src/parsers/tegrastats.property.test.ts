import type { TelemetrySample } from "@jetson/protocol";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { totalPowerMW } from "../telemetry/total-power.js";
import { readTegrastatsLine } from "./tegrastats.js";

/** One field as tegrastats prints it, and what the sample must then hold. */
interface Field {
  text: string;
  expect: (sample: TelemetrySample) => void;
}

const mhz = fc.integer({ min: 0, max: 3500 });
const pct = fc.integer({ min: 0, max: 100 });

const ram = fc.tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 1, max: 131_072 })).map(([used, total]): Field => ({
  text: `RAM ${used}/${total}MB (lfb 12x4MB)`,
  expect: (s) => expect(s.ram).toStrictEqual({ usedMB: used, totalMB: total }),
}));
const swap = fc.tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 65_536 })).map(([used, total]): Field => ({
  text: `SWAP ${used}/${total}MB (cached 0MB)`,
  expect: (s) => expect(s.swap).toStrictEqual({ usedMB: used, totalMB: total }),
}));
const core = fc.oneof(
  fc.constant({ text: "off", cpu: { online: false as const } }),
  fc.tuple(pct, mhz).map(([load, freq]) => ({ text: `${load}%@${freq}`, cpu: { loadPct: load, freqMHz: freq } })),
);
const cpuList = fc.array(core, { minLength: 1, maxLength: 14 }).map((cores): Field => ({
  text: `CPU [${cores.map((c) => c.text).join(",")}]`,
  expect: (s) => expect(s.cpus).toStrictEqual(cores.map((c) => c.cpu)),
}));
// 3%@2133, 0%@[305,305], 7% (no root), @[0,0,0] (JetPack 7)
const loadFreq = fc.oneof(
  fc.tuple(pct, mhz).map(([l, f]) => ({ text: `${l}%@${f}`, value: { loadPct: l, freqMHz: f } })),
  fc.tuple(pct, mhz).map(([l, f]) => ({ text: `${l}%@[${f},${f}]`, value: { loadPct: l, freqMHz: f } })),
  pct.map((l) => ({ text: `${l}%`, value: { loadPct: l } })),
  mhz.map((f) => ({ text: `@[${f},${f},${f}]`, value: { freqMHz: f } })),
);
const gpu = loadFreq.map((v): Field => ({ text: `GR3D_FREQ ${v.text}`, expect: (s) => expect(s.gpu).toStrictEqual(v.value) }));
// An EMC load without its clock is tegrastats' placeholder when not root: EMC stays absent.
const emc = loadFreq.map((v): Field => ({
  text: `EMC_FREQ ${v.text}`,
  expect: (s) => expect(s.emc).toStrictEqual("freqMHz" in v.value ? v.value : undefined),
}));

const ENGINES = ["NVENC", "NVENC1", "NVDEC", "NVJPG", "NVJPG1", "VIC", "OFA", "APE", "NVDLA0", "NVDLA1", "PVA0"];
const engine = (key: string) =>
  fc.oneof(
    fc.constantFrom(key, `${key}_FREQ`).map((name) => ({ text: `${name} off`, value: { online: false } })),
    mhz.map((f) => ({ text: `${key} ${f}`, value: { online: true, freqMHz: f } })),
    fc.tuple(pct, mhz).map(([l, f]) => ({ text: `${key} ${l}%@${f}`, value: { online: true, loadPct: l, freqMHz: f } })),
    // JetPack 7 numbers the first of several: NVENC0_FREQ is NVENC.
    fc.tuple(fc.constantFrom(/^NV(ENC|DEC|JPG)$/.test(key) ? `${key}0_FREQ` : `${key}_FREQ`, `${key}_FREQ`), mhz).map(([name, f]) => ({
      text: `${name} @${f}`,
      value: { online: true, freqMHz: f },
    })),
  );
const engines = fc.uniqueArray(fc.constantFrom(...ENGINES), { minLength: 1 }).chain((keys) =>
  fc.tuple(...keys.map((key) => engine(key).map((e) => ({ key, ...e })))).map((list): Field[] =>
    list.map((e) => ({ text: e.text, expect: (s) => expect(s.engines?.[e.key]).toStrictEqual(e.value) })),
  ),
);

// Upper- and lower-case labels of real zones; CPU and GPU are also rail and field names.
const TEMPS = ["CPU", "GPU", "cpu", "soc0", "SOC1", "tj", "Tboard", "Tdiode", "AO", "thermal", "BCPU", "iwlwifi"];
const temps = fc.uniqueArray(fc.constantFrom(...TEMPS), { minLength: 1, selector: (name) => name.toLowerCase() }).chain((names) =>
  fc.tuple(...names.map((name) => fc.integer({ min: 0, max: 110_000 }).map((mC) => ({ name, c: mC / 1000 })))).map((list): Field[] =>
    list.map(({ name, c }) => ({ text: `${name}@${c}C`, expect: (s) => expect(s.tempsC?.[name.toLowerCase()]).toBe(c) })),
  ),
);

// AGX Xavier on JetPack 4 names rails CPU, GPU, SOC, CV, VDDRQ, SYS5V, with no unit.
const RAILS = ["CPU", "GPU", "SOC", "CV", "VDDRQ", "SYS5V", "VDD_IN", "VDD_GPU_SOC", "VIN_SYS_5V0", "POM_5V_IN", "NVENC", "EMC_FREQ"];
const railValue = fc.tuple(fc.integer({ min: 0, max: 60_000 }), fc.integer({ min: 0, max: 60_000 }), fc.option(fc.integer({ min: 0, max: 60_000 }), { nil: undefined }), fc.constantFrom("", "mW"));
const rails = fc.uniqueArray(fc.constantFrom(...RAILS), { minLength: 1 }).chain((names) =>
  fc.tuple(...names.map((name) => railValue.map(([now, avg, max, unit]) => ({ name, now, avg, max, unit })))).map((list): Field[] => {
    const expected = Object.fromEntries(list.map(({ name, now, avg, max }) => [name, max === undefined ? { now, avg } : { now, avg, max }]));
    return list.map(({ name, now, avg, max, unit }) => ({
      text: [now, avg, ...(max === undefined ? [] : [max])].map((v) => `${v}${unit}`).join("/").replace(/^/, `${name} `),
      expect: (s) => {
        expect(s.powerMW?.[name]).toStrictEqual(expected[name]);
        expect(s.totalPowerMW).toBe(totalPowerMW(s.powerMW ?? {}));
      },
    }));
  }),
);
const noise = fc.constantFrom<string>("IRAM 0/252kB(lfb 252kB)", "MTS fg 0% bg 1%", "GR3D2_FREQ 0%@0");

/** RAM and a random subset of the other fields, in a random order, with irregular spacing and maybe a date. */
const line = fc
  .tuple(
    ram,
    fc.option(swap, { nil: undefined }),
    fc.option(cpuList, { nil: undefined }),
    fc.option(gpu, { nil: undefined }),
    fc.option(emc, { nil: undefined }),
    fc.option(engines, { nil: undefined }),
    fc.option(temps, { nil: undefined }),
    fc.option(rails, { nil: undefined }),
    fc.option(noise, { nil: undefined }),
  )
  .chain(([r, ...rest]) => {
    const fields: (Field | string)[] = [r, ...rest.flat().filter((f): f is Field | string => f !== undefined)];
    return fc.tuple(fc.shuffledSubarray(fields, { minLength: fields.length }), fc.array(fc.constantFrom(" ", "  ", "   "), { minLength: fields.length, maxLength: fields.length }), fc.boolean());
  })
  .map(([fields, gaps, dated]) => ({
    text: (dated ? "09-19-2026 13:33:02 " : "") + fields.map((f, i) => `${typeof f === "string" ? f : f.text}${gaps[i]}`).join(""),
    fields: fields.filter((f): f is Field => typeof f !== "string"),
  }));

describe("tegrastats lines assembled from known fields", () => {
  it("never lose a field that is present, in any subset and order", () => {
    fc.assert(
      fc.property(line, ({ text, fields }) => {
        const { sample, unread } = readTegrastatsLine(text);
        expect(unread).toEqual([]);
        for (const field of fields) field.expect(sample);
      }),
      { numRuns: 2_000 },
    );
  });

  it("keep every other field when one token cannot be read", () => {
    const garbage = fc.constantFrom("???", "CPU [x]", "GR3D_FREQ busy", "FOO", "12/34MB", "@@");
    fc.assert(
      fc.property(line, garbage, fc.nat(), ({ text, fields }, bad, at) => {
        const tokens = text.split(" ");
        // Between two fields' tokens only: never inside RAM's, so the insertion splits no field.
        const starts = tokens.flatMap((t, i) => (i > 0 && fields.some((f) => f.text.startsWith(`${t} `) || f.text === t) ? [i] : []));
        if (starts.length === 0) return;
        const where = starts[at % starts.length] as number;
        const broken = [...tokens.slice(0, where), bad, ...tokens.slice(where)].join(" ");
        const { sample, unread } = readTegrastatsLine(broken);
        expect(unread.length).toBeGreaterThan(0);
        for (const field of fields) field.expect(sample);
      }),
      { numRuns: 2_000 },
    );
  });
});
