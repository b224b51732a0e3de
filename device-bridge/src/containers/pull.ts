import { LineSplitter } from "../host/output.js";
import { pullFailure } from "./engine-errors.js";
import { type PullEvent, PullEventSchema } from "./engine-schemas.js";

/**
 * fromImage and tag for POST /images/create. Without a tag the Engine would pull every tag of
 * the repository, so an untagged reference means :latest, and a digest goes in the tag field
 * (as the docker CLI sends it).
 */
export function splitReference(image: string): { fromImage: string; tag: string } {
  const at = image.indexOf("@");
  if (at >= 0) return { fromImage: image.slice(0, at), tag: image.slice(at + 1) };
  const colon = image.lastIndexOf(":");
  if (colon > image.lastIndexOf("/")) return { fromImage: image.slice(0, colon), tag: image.slice(colon + 1) };
  return { fromImage: image, tag: "latest" };
}

interface Layer {
  current: number;
  total?: number;
  complete: boolean;
}

/** Statuses after which a layer needs no more downloading. */
const LAYER_DONE = new Set(["download complete", "verifying checksum", "extracting", "pull complete", "already exists"]);
const MB = 1024 * 1024;

/** Sums the per-layer progress of a pull's event stream into bytes downloaded of bytes known. */
export class PullProgress {
  private readonly layers = new Map<string, Layer>();
  private events = 0;
  private lastStatus = "Pulling";

  /** Reads one JSON line of the stream; throws the pull's error when the line reports one. */
  line(image: string, text: string): void {
    if (!text.trim()) return;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return; // Not an event: engines print nothing else, so nothing to learn from it.
    }
    const parsed = PullEventSchema.safeParse(json);
    if (!parsed.success) return;
    const error = parsed.data.errorDetail?.message ?? parsed.data.error;
    if (error) throw pullFailure(image, error);
    this.event(parsed.data);
  }

  private event(event: PullEvent): void {
    this.events++;
    if (event.status) this.lastStatus = event.status;
    if (!event.id || !event.status) return;
    const layer = this.layers.get(event.id) ?? { current: 0, complete: false };
    const status = event.status.toLowerCase();
    const detail = event.progressDetail;
    if (status === "downloading" && detail?.current !== undefined) {
      layer.current = detail.current;
      if (detail.total !== undefined && detail.total > 0) layer.total = detail.total;
    } else if (LAYER_DONE.has(status)) {
      layer.complete = true;
      if (layer.total !== undefined) layer.current = layer.total;
    }
    this.layers.set(event.id, layer);
  }

  /** Bytes so far of bytes known, or, before any size is known, the count of events. */
  snapshot(): { done: number; total?: number; message: string } {
    const layers = [...this.layers.values()];
    const total = layers.reduce((sum, l) => sum + (l.total ?? 0), 0);
    if (total === 0) return { done: this.events, message: this.lastStatus };
    const done = layers.reduce((sum, l) => sum + l.current, 0);
    const complete = layers.filter((l) => l.complete).length;
    return {
      done,
      total,
      message: `${(done / MB).toFixed(1)} of ${(total / MB).toFixed(1)} MB, ${complete} of ${layers.length} layers done`,
    };
  }
}

/** The lines of a byte stream, the last one even without its newline (bounded, as every line the bridge reads). */
export async function* jsonLines(body: AsyncIterable<Buffer>): AsyncIterable<string> {
  const lines: string[] = [];
  const splitter = new LineSplitter((line) => lines.push(line));
  for await (const chunk of body) {
    splitter.add(chunk);
    yield* lines.splice(0);
  }
  splitter.flush();
  yield* lines.splice(0);
}
