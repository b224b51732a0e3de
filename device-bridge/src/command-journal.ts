import { mkdir, readFile, rename } from "node:fs/promises";
import path from "node:path";
import { type Result, ResultSchema } from "@jetson/protocol";
import { z } from "zod";
import { syncFolder, writeDurably } from "./durable-write.js";

const EntrySchema = z.discriminatedUnion("state", [
  z.object({ id: z.string(), state: z.literal("started") }),
  z.object({ id: z.string(), state: z.literal("finished"), result: ResultSchema }),
]);
type Entry = z.infer<typeof EntrySchema>;

/**
 * Which command ids this device has started or finished, kept on disk so a
 * command redelivered after a disconnect or a bridge restart is never run twice.
 */
export class CommandJournal {
  private constructor(
    private readonly file: string,
    private readonly capacity: number,
    private readonly entries: Map<string, Entry>,
  ) {}

  static async open(file: string, capacity = 500): Promise<CommandJournal> {
    await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    const entries = new Map<string, Entry>();
    const text = await readFile(file, "utf8").catch(() => "");
    for (const line of text.split("\n")) {
      const parsed = line ? EntrySchema.safeParse(safeJson(line)) : undefined;
      if (parsed?.success) entries.set(parsed.data.id, parsed.data);
    }
    const journal = new CommandJournal(file, capacity, entries);
    await journal.compact();
    return journal;
  }

  lookup(id: string): Entry | undefined {
    return this.entries.get(id);
  }

  async started(id: string): Promise<void> {
    await this.record({ id, state: "started" });
  }

  async finished(result: Result): Promise<void> {
    await this.record({ id: result.id, state: "finished", result });
  }

  private async record(entry: Entry): Promise<void> {
    this.entries.delete(entry.id);
    this.entries.set(entry.id, entry);
    await writeDurably(this.file, "a", `${JSON.stringify(entry)}\n`);
    if (this.entries.size > this.capacity * 2) await this.compact();
  }

  /**
   * Keeps the newest `capacity` ids. The new file is written beside the old one and renamed over it,
   * so a crash at any step leaves one whole journal on disk, never a truncated one.
   */
  private async compact(): Promise<void> {
    const keep = [...this.entries.values()].slice(-this.capacity);
    this.entries.clear();
    for (const entry of keep) this.entries.set(entry.id, entry);
    const temporary = `${this.file}.tmp`;
    await writeDurably(temporary, "w", keep.map((e) => `${JSON.stringify(e)}\n`).join(""));
    await rename(temporary, this.file);
    await syncFolder(path.dirname(this.file));
  }
}


function safeJson(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}
