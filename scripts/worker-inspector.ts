import WebSocket from "ws";

const MIB = 1024 * 1024;

/** Constructor (or kind) → how many objects of it the heap holds and their own bytes. */
export type HeapCensus = Map<string, { count: number; bytes: number }>;

interface Target {
  webSocketDebuggerUrl: string;
}

interface Reply {
  id?: number;
  method?: string;
  params?: { chunk?: string };
  result?: unknown;
  error?: { message: string };
}

/** The parts of a V8 heap snapshot the census reads (the rest is left unparsed). */
interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

/**
 * The Chrome DevTools Protocol session `wrangler dev` offers on its inspector port. In local
 * workerd every Durable Object of the Worker lives in the Worker's one isolate, so its heap
 * figures cover every device object at once.
 */
export class WorkerInspector {
  private next = 1;
  private readonly waiting = new Map<number, { resolve: (result: unknown) => void; reject: (error: Error) => void }>();
  private chunks: string[] = [];

  private constructor(private readonly socket: WebSocket) {
    socket.on("message", (data) => this.onMessage(JSON.parse(String(data)) as Reply));
    socket.on("close", () => {
      for (const { reject } of this.waiting.values()) reject(new Error("inspector closed"));
      this.waiting.clear();
    });
  }

  static async attach(port: number): Promise<WorkerInspector> {
    const targets = (await (await fetch(`http://127.0.0.1:${port}/json`)).json()) as Target[];
    const url = targets[0]?.webSocketDebuggerUrl;
    if (!url) throw new Error(`no Worker on the inspector at port ${port}`);
    const socket = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      socket.once("open", () => resolve());
      socket.once("error", reject);
    });
    return new WorkerInspector(socket);
  }

  /** The isolate's live JS heap (MiB): a full collection first, so that garbage not yet collected does not count. */
  async liveHeapMiB(): Promise<number> {
    await this.call("HeapProfiler.collectGarbage");
    const { usedSize } = (await this.call("Runtime.getHeapUsage")) as { usedSize: number };
    return Math.round(usedSize / MIB);
  }

  /** A heap snapshot (which collects garbage first), counted by constructor; a closure counts as `closure name`, other kinds as `(kind)`. */
  async census(): Promise<HeapCensus> {
    this.chunks = [];
    await this.call("HeapProfiler.takeHeapSnapshot", { reportProgress: false });
    const text = this.chunks.join("");
    this.chunks = [];
    return censusOf(JSON.parse(text) as Snapshot);
  }

  /** What `work` returns, and a CPU profile of the isolate while it ran (Chrome DevTools' .cpuprofile), sampled every `intervalUs`. */
  async profile<T>(work: () => Promise<T>, intervalUs: number): Promise<{ result: T; profile: unknown }> {
    await this.call("Profiler.enable");
    await this.call("Profiler.setSamplingInterval", { interval: intervalUs });
    await this.call("Profiler.start");
    const result = await work();
    const { profile } = (await this.call("Profiler.stop")) as { profile: unknown };
    return { result, profile };
  }

  close(): void {
    this.socket.close();
  }

  private call(method: string, params: Record<string, unknown> = {}): Promise<unknown> {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.socket.send(JSON.stringify({ id, method, params }));
    });
  }

  private onMessage(reply: Reply): void {
    if (reply.method === "HeapProfiler.addHeapSnapshotChunk") {
      this.chunks.push(reply.params?.chunk ?? "");
      return;
    }
    if (reply.id === undefined) return;
    const waiter = this.waiting.get(reply.id);
    this.waiting.delete(reply.id);
    if (reply.error) waiter?.reject(new Error(reply.error.message));
    else waiter?.resolve(reply.result);
  }
}

function censusOf({ snapshot, nodes, strings }: Snapshot): HeapCensus {
  const fields = snapshot.meta.node_fields;
  const kinds = snapshot.meta.node_types[0];
  const width = fields.length;
  const [typeAt, nameAt, sizeAt] = ["type", "name", "self_size"].map((field) => fields.indexOf(field));
  const census: HeapCensus = new Map();
  for (let i = 0; i < nodes.length; i += width) {
    const kind = kinds[nodes[i + typeAt!]!] ?? "?";
    const name = strings[nodes[i + nameAt!]!] ?? "?";
    const key = kind === "object" || kind === "native" ? name : kind === "closure" ? `closure ${name}` : `(${kind})`;
    const entry = census.get(key) ?? { count: 0, bytes: 0 };
    entry.count += 1;
    entry.bytes += nodes[i + sizeAt!]!;
    census.set(key, entry);
  }
  return census;
}

/** What grew from `before` to `after`, most bytes first: the constructors a leak would show. */
export function censusGrowth(before: HeapCensus, after: HeapCensus, top = 25): { name: string; count: number; countDelta: number; bytesDelta: number }[] {
  return [...after]
    .map(([name, { count, bytes }]) => ({
      name,
      count,
      countDelta: count - (before.get(name)?.count ?? 0),
      bytesDelta: bytes - (before.get(name)?.bytes ?? 0),
    }))
    .sort((a, b) => b.bytesDelta - a.bytesDelta)
    .slice(0, top);
}
