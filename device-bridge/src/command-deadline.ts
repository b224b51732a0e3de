import { performance } from "node:perf_hooks";
import type { Command } from "@jetson/protocol";

/**
 * Whether a command came too late to start, judged without trusting this device's wall clock (a
 * Jetson without a battery-backed clock, or one minutes fast, must still run its commands).
 *
 * The Worker stamps each command with `sentAt` on its clock. Arrival minus `sentAt` is this device's
 * clock offset plus the command's delay on the way; measured on the monotonic clock (which no NTP
 * step moves), its smallest value so far stands for the offset with the shortest delay seen. A
 * command's delay beyond that is how late it is: one that spent longer on the way (a stalled link, a
 * suspended board) than it had left when sent is refused, as the cloud has answered its caller.
 * The Worker's clock in each CONNACK counts as such a measure too, so the first command after a
 * connection is judged as well. A command without `sentAt` (an older Worker) is compared with this clock as it is.
 */
export class CommandDeadlines {
  /** The smallest arrival-minus-sentAt seen, on the monotonic clock. */
  #floor: number | undefined;

  constructor(private readonly monotonicNow: () => number = () => performance.timeOrigin + performance.now()) {}

  /** Whether `command`, arriving now, is past its deadline. */
  passed(command: Command, wallNow: number): boolean {
    if (command.sentAt === undefined) return wallNow > command.deadline;
    const late = this.observe(command.sentAt);
    return late > command.deadline - command.sentAt;
  }

  /** Something the Worker stamped `cloudTime` arrives now: how much longer than the quickest such arrival it took. */
  observe(cloudTime: number): number {
    const offset = this.monotonicNow() - cloudTime;
    this.#floor = this.#floor === undefined ? offset : Math.min(this.#floor, offset);
    return offset - this.#floor;
  }
}
