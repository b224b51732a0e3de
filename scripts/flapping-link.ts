import { connect, createServer, type Server, type Socket } from "node:net";

export interface FlapSchedule {
  /** How long the link stays up... */
  upMs: number;
  /** ...and then down: every connection cut, new ones refused, until it comes back. */
  downMs: number;
}

/**
 * A TCP relay on 127.0.0.1 between one bridge and the Worker that drops the link on a schedule,
 * as a flaky uplink would. The bridge dials it as its cloud URL and never knows.
 */
export class FlappingLink {
  private readonly sockets = new Set<Socket>();
  private down = false;
  private timer: NodeJS.Timeout | undefined;
  /** How many times the link has gone down. */
  drops = 0;

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(targetPort: number, schedule: FlapSchedule): Promise<FlappingLink> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    const link = new FlappingLink(server, typeof address === "object" && address ? address.port : 0);
    server.on("connection", (client) => link.relay(client, targetPort));
    link.schedule(schedule);
    return link;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  private relay(client: Socket, targetPort: number): void {
    if (this.down) {
      client.destroy();
      return;
    }
    const upstream = connect(targetPort, "127.0.0.1");
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on("error", () => undefined);
      socket.on("close", () => {
        this.sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  }

  private schedule({ upMs, downMs }: FlapSchedule): void {
    this.timer = setTimeout(() => {
      this.down = true;
      this.drops++;
      for (const socket of this.sockets) socket.destroy();
      this.timer = setTimeout(() => {
        this.down = false;
        this.schedule({ upMs, downMs });
      }, downMs);
    }, upMs);
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
