import type { DeviceSummary } from "@jetson/protocol";

/** Sends the device's summary to its fleet's registry, and remembers when it last did. */
export class SummaryPublisher {
  private lastPublished = 0;

  constructor(
    private readonly summary: () => Promise<DeviceSummary | undefined>,
    private readonly upsert: (summary: DeviceSummary) => Promise<void>,
  ) {}

  get last(): number {
    return this.lastPublished;
  }

  async publish(): Promise<void> {
    const summary = await this.summary();
    if (!summary) return;
    this.lastPublished = Date.now();
    await this.upsert(summary);
  }
}
