import { type FileHandle, mkdir, open } from "node:fs/promises";
import path from "node:path";
import { type Result, ResultSchema } from "@jetson/protocol";
import { z } from "zod";
import { replaceDurably, writeDurably } from "./durable-write.js";
import { createLogger, type Logger } from "./log.js";

const EntrySchema = z.discriminatedUnion("state", [
  z.object({ id: z.string(), state: z.literal("started") }),
  z.object({ id: z.string(), state: z.literal("finished"), result: ResultSchema }),
]);
type Entry = z.infer<typeof EntrySchema>;

/** How many bytes the journal holds, on disk and so in memory. */
export interface JournalBytes {
  /**
   * The longest record: a result that makes a longer one is kept as its outline. Default 1 MiB, the
   * largest packet the Worker accepts, so a result kept whole could have been delivered.
   */
  maxEntryBytes: number;
  /** The file is compacted when it grows past this; compaction keeps whole results, newest first, within half of it. */
  maxBytes: number;
}

const DEFAULT_BYTES: JournalBytes = { maxEntryBytes: 1 << 20, maxBytes: 4 << 20 };
/**
 * A record this short is always kept whole, and an outline is shorter: a compaction leaves at most half of
 * maxBytes of larger results and capacity × this of short ones (1 MiB by default), below maxBytes.
 */
const SMALL_ENTRY_BYTES = 2048;
/** How much of an error message an outline keeps. */
const OUTLINE_MESSAGE = 200;
/** Every record starts with its id and state (see record), so those survive in the head of one too long to read whole. */
const RECORD_HEAD = /^\{"id":"([A-Za-z0-9_-]{1,64})","state":"(started|finished)"/;

/**
 * Which command ids this device has started or finished, kept on disk so a
 * command redelivered after a disconnect or a bridge restart is never run twice.
 * It keeps the newest `capacity` ids (compacted once it holds twice as many), and its file, and so the
 * memory it takes, within JournalBytes.
 */
export class CommandJournal {
  private constructor(
    private readonly file: string,
    private readonly capacity: number,
    private readonly limits: JournalBytes,
    private readonly entries: Map<string, Entry>,
    private readonly log: Logger,
  ) {}

  /** The file's size, as this process read and wrote it. */
  private bytes = 0;
  /**
   * Whether the file may end in part of a line (a crash or a full disk cut an append short): the next
   * append starts a line of its own, so that its record is not joined to the cut one and lost with it.
   */
  private cutTail = false;
  /**
   * The last append or compaction: each starts once the one before has settled, so two never share
   * the byte count or the compaction's temporary file.
   */
  private writing: Promise<void> = Promise.resolve();

  /**
   * Reads the journal (none yet is an empty one); one that cannot be read stops the bridge rather than being taken for empty.
   * It is written anew only when it is not there yet, holds lines that are not whole records or is over its limits, and a write that
   * fails does not stop the bridge: on a full disk the bridge still starts, to run the commands that free space.
   */
  static async open(file: string, capacity = 500, bytes: Partial<JournalBytes> = {}, log: Logger = createLogger("command-journal")): Promise<CommandJournal> {
    await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    const journal = new CommandJournal(file, capacity, { ...DEFAULT_BYTES, ...bytes }, new Map(), log);
    const rewrite = await journal.load().catch((error: NodeJS.ErrnoException) => {
      throw new Error(
        `Cannot read the command journal ${file} (${error.code ?? error.message}). It records which commands this device ran, ` +
          `so that one the cloud delivers again is answered rather than run twice, and the bridge does not start without it. ` +
          `Make it a file the bridge's user can read and write, or, to start with an empty journal, move it aside ` +
          `(a command that was under way before then may run again if it is redelivered).`,
        { cause: error },
      );
    });
    if (rewrite || journal.overLimits()) await journal.compactOrWarn();
    return journal;
  }

  lookup(id: string): Entry | undefined {
    return this.entries.get(id);
  }

  async started(id: string): Promise<void> {
    await this.record({ id, state: "started" });
  }

  async finished(result: Result): Promise<void> {
    const entry: Entry = { id: result.id, state: "finished", result };
    const bytes = Buffer.byteLength(JSON.stringify(entry));
    await this.record(
      bytes <= this.limits.maxEntryBytes
        ? entry
        : outline(entry, `its result (${bytes} bytes) was larger than the ${this.limits.maxEntryBytes} bytes the bridge keeps to answer a redelivery`),
    );
  }

  /** Reads the file into memory; answers whether it needs writing anew: not there yet, or holding anything but whole records, each on its line. */
  private async load(): Promise<boolean> {
    let handle: FileHandle;
    try {
      handle = await open(this.file, "r");
    } catch (error) {
      // Only a journal that is not there yet is an empty one.
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return true;
      throw error;
    }
    let damaged = false;
    try {
      this.bytes = (await handle.stat()).size;
      for await (const line of readLines(handle, this.limits.maxEntryBytes)) {
        const entry = line.whole ? parseEntry(line.text) : salvageEntry(line.text);
        if (entry) this.entries.set(entry.id, entry);
        if (!entry || !line.whole) damaged = true;
      }
      if (this.bytes > 0) {
        const last = Buffer.alloc(1);
        await handle.read(last, 0, 1, this.bytes - 1);
        this.cutTail = last[0] !== 0x0a;
      }
    } finally {
      await handle.close();
    }
    return damaged || this.cutTail;
  }

  /** Known at once (a redelivery meanwhile is answered from it); on disk once the writes queued before it are. */
  private record(entry: Entry): Promise<void> {
    this.entries.delete(entry.id);
    this.entries.set(entry.id, entry);
    const written = this.writing.then(async () => {
      const line = `${this.cutTail ? "\n" : ""}${JSON.stringify(entry)}\n`;
      try {
        await writeDurably(this.file, "a", line);
      } catch (error) {
        // Part of the line may have reached the disk (a full one takes what fits).
        this.cutTail = true;
        throw error;
      }
      this.cutTail = false;
      this.bytes += Buffer.byteLength(line);
      if (this.overLimits()) await this.compactOrWarn();
    });
    // A failed write fails its own record only; the next one still runs.
    this.writing = written.catch(() => undefined);
    return written;
  }

  private overLimits(): boolean {
    return this.entries.size > this.capacity * 2 || this.bytes > this.limits.maxBytes;
  }

  /**
   * A compaction that fails (a full disk) leaves the file as it was, whole, and the journal goes on
   * appending to it: its records are on disk all the same, and a later write past the limits tries again.
   */
  private async compactOrWarn(): Promise<void> {
    await this.compact().catch((error: NodeJS.ErrnoException) =>
      this.log.warn(`could not compact the command journal ${this.file} (${error.code ?? error.message}): it stays as it was, whole, and new records are appended to it`),
    );
  }

  /**
   * Keeps the newest `capacity` ids, and their results whole, newest first, within half of maxBytes:
   * the newest are the likeliest to be asked for again (a link that dropped before one arrived). An
   * older large result is kept as its outline. The new file is written beside the old one and renamed
   * over it, so a crash at any step leaves one whole journal on disk, never a truncated one.
   */
  private async compact(): Promise<void> {
    let room = this.limits.maxBytes / 2;
    const keep = [...this.entries.values()]
      .slice(-this.capacity)
      .reverse()
      .map((entry) => {
        const bytes = Buffer.byteLength(JSON.stringify(entry));
        if (entry.state === "finished" && bytes > room && bytes > SMALL_ENTRY_BYTES) {
          return outline(entry, `its result (${bytes} bytes) is no longer kept: the bridge keeps whole results only for its newest commands`);
        }
        room -= bytes;
        return entry;
      })
      .reverse();
    this.entries.clear();
    for (const entry of keep) this.entries.set(entry.id, entry);
    const text = keep.map((e) => `${JSON.stringify(e)}\n`).join("");
    await replaceDurably(this.file, text);
    this.bytes = Buffer.byteLength(text);
    this.cutTail = false;
  }
}

/**
 * What a redelivery of a command whose result is not kept whole gets: a failure, since an answer
 * without its data would not have its action's shape, that says the command ran and was not run
 * again. A failure keeps its code and the start of its message.
 */
function outline(entry: Extract<Entry, { state: "finished" }>, why: string): Entry {
  const { id, startedAt, endedAt } = entry.result;
  const error = entry.result.ok
    ? {
        code: "unavailable" as const,
        message: `This command already ran on the device and succeeded; it was not run again. But ${why}, so this answer has none of its data: send it as a new command to read that again.`,
      }
    : { code: entry.result.error.code, message: `${entry.result.error.message.slice(0, OUTLINE_MESSAGE)}… (shortened: ${why})` };
  return { id, state: "finished", result: { id, ok: false, error, startedAt, endedAt } };
}

function parseEntry(line: string): Entry | undefined {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    // A line cut by a crash mid-append: that record never completed.
    return undefined;
  }
  const parsed = EntrySchema.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}

/**
 * A record too long to read whole (written by an earlier bridge that kept every result whole) still
 * names its command: that command is not forgotten, and so not run again.
 */
function salvageEntry(head: string): Entry | undefined {
  const [, id, state] = RECORD_HEAD.exec(head) ?? [];
  if (!id) return undefined;
  if (state === "started") return { id, state: "started" };
  const now = Date.now();
  const message = `This command ran to its end on the device before the bridge restarted; it was not run again. Its result was too large for the bridge to read back, so whether it succeeded is not known here: check the device's state before retrying.`;
  return { id, state: "finished", result: { id, ok: false, error: { code: "unavailable", message }, startedAt: now, endedAt: now } };
}

/**
 * The file's lines, read in chunks so that no string longer than `maxBytes` is ever built (a whole
 * journal could pass V8's 512 MiB limit on one): a longer line yields only its first bytes, not whole.
 */
async function* readLines(handle: FileHandle, maxBytes: number): AsyncGenerator<{ text: string; whole: boolean }> {
  const chunk = Buffer.alloc(64 * 1024);
  let pieces: Buffer[] = [];
  let length = 0;
  let head: string | undefined;
  const line = () => (head === undefined ? { text: Buffer.concat(pieces).toString("utf8"), whole: true } : { text: head, whole: false });
  for (;;) {
    const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
    if (bytesRead === 0) break;
    let rest = chunk.subarray(0, bytesRead);
    for (;;) {
      const newline = rest.indexOf(10);
      const piece = newline === -1 ? rest : rest.subarray(0, newline);
      if (head === undefined) {
        // Copied: the chunk is read into again.
        pieces.push(Buffer.from(piece));
        length += piece.length;
        if (length > maxBytes) {
          head = Buffer.concat(pieces).toString("utf8", 0, 256);
          pieces = [];
        }
      }
      if (newline === -1) break;
      yield line();
      [pieces, length, head] = [[], 0, undefined];
      rest = rest.subarray(newline + 1);
    }
  }
  // The last line, if its newline never reached the disk.
  if (length > 0) yield line();
}
