import { MAX_BATCH_SAMPLES, type TelemetryBatch, type TimedSample, TimedSampleSchema } from "@jetson/protocol";
import { z } from "zod";

/** A batch's frame with its samples not yet looked at: each is checked on its own. */
const BatchFrameSchema = z.object({ samples: z.array(z.unknown()).max(MAX_BATCH_SAMPLES) });

/** A Reason String is a line in the device's log, not a report. */
const MAX_REASON_CHARS = 300;

/** What of a message can be kept, and what was refused of it, in words for the device. */
export interface CheckedMessage<T> {
  message?: T;
  refused?: string;
}

/**
 * Checks a telemetry batch sample by sample, keeping the valid ones: one odd sample (a NaN the
 * bridge wrote as null) must not cost its neighbours, which after an outage are its whole gap.
 * Nothing is kept when no sample is valid, or the message is not a batch.
 */
export function checkBatch(json: unknown): CheckedMessage<TelemetryBatch> {
  const frame = BatchFrameSchema.safeParse(json);
  if (!frame.success) return { refused: clip(`not a telemetry batch: ${describe(frame.error)}`) };
  const { samples } = frame.data;
  const valid: TimedSample[] = [];
  let first: string | undefined;
  samples.forEach((raw, index) => {
    const parsed = TimedSampleSchema.safeParse(raw);
    if (parsed.success) valid.push(parsed.data);
    else first ??= `samples[${index}] (t ${JSON.stringify(timeOf(raw))}): ${describe(parsed.error)}`;
  });
  if (first === undefined) return { message: { samples: valid } };
  const refused = clip(`refused ${samples.length - valid.length} of ${samples.length} samples; the first, ${first}`);
  return valid.length > 0 ? { message: { samples: valid }, refused } : { refused };
}

function describe(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.map(String).join(".") || "(whole)"}: ${issue.message}` : "invalid";
}

function timeOf(raw: unknown): unknown {
  return typeof raw === "object" && raw !== null && "t" in raw ? raw.t : undefined;
}

const SEPARATOR = "; ";

/** Several refusals (the check's, then what storing left out) as one Reason String, each clipped to its share so that none is lost. */
export function joinRefusals(parts: readonly (string | undefined)[]): string | undefined {
  const present = parts.filter((part) => part !== undefined);
  if (present.length === 0) return undefined;
  const share = Math.floor((MAX_REASON_CHARS - SEPARATOR.length * (present.length - 1)) / present.length);
  return present.map((part) => clip(part, share)).join(SEPARATOR);
}

function clip(text: string, chars = MAX_REASON_CHARS): string {
  return text.length > chars ? `${text.slice(0, chars - 1)}…` : text;
}
