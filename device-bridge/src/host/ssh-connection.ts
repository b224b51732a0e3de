import { createHash } from "node:crypto";
import { Client, type ClientChannel, type SFTPWrapper } from "ssh2";
import { backoffDelay } from "../link/backoff.js";
import type { Logger } from "../log.js";

export interface SshTarget {
  host: string;
  port: number;
  username: string;
  privateKey?: string;
  password?: string;
  /** The host keys accepted, each as `SHA256:<base64>` (what `ssh-keygen -lf` prints); any other is refused. */
  hostKeysSha256: readonly string[];
}

export interface ReconnectPolicy {
  minMs: number;
  maxMs: number;
  /** Connect attempts before giving up; a one-off tool tries once, a bridge forever. */
  attempts?: number;
}

/** How long a server has, unless told otherwise, to answer a request: open a channel, finish an SFTP operation. */
const DEFAULT_REPLY_TIMEOUT_MS = 15_000;

/** The server did not answer in time; the connection it was asked on has been dropped. */
export class SshTimeoutError extends Error {}

export class HostKeyMismatchError extends Error {
  constructor(
    message: string,
    /** The key the server showed. */
    readonly seen: string,
  ) {
    super(message);
  }
}

/** The pinned form of a host key: `SHA256:` and the unpadded base64 of its SHA-256, as OpenSSH prints it. */
export function hostKeyFingerprint(key: Buffer): string {
  return `SHA256:${createHash("sha256").update(key).digest("base64").replace(/=+$/, "")}`;
}

/**
 * One SSH connection to a device, kept open (with keepalives) and reused by
 * every command, reconnecting with backoff when it drops. The host key is
 * checked against its pin on every connect; agent forwarding is never asked for.
 * A server that leaves a request unanswered past the reply timeout loses the
 * connection: keepalives alone cannot tell a hung or hostile server from a slow
 * one, and dropping it frees everything ssh2 keeps for the unanswered request.
 */
export class SshConnection {
  private client: Client | undefined;
  private connecting: Promise<Client> | undefined;
  private sftpSession: Promise<SFTPWrapper> | undefined;
  private attempt = 0;
  private closed = false;

  constructor(
    private readonly target: SshTarget,
    private readonly log: Logger,
    private readonly reconnect: ReconnectPolicy = { minMs: 500, maxMs: 30_000 },
    private readonly replyTimeoutMs = DEFAULT_REPLY_TIMEOUT_MS,
  ) {}

  /** A ready client, connecting (or waiting for the reconnect in progress) first. */
  ready(): Promise<Client> {
    if (this.closed) return Promise.reject(new Error("SSH connection closed"));
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= this.connectWithRetry().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  /** A channel running `command`, once the server has opened it (within the reply timeout; waiting for a connection is not counted). */
  async exec(command: string): Promise<ClientChannel> {
    const client = await this.ready();
    const opening = new Promise<ClientChannel>((resolve, reject) => client.exec(command, (error, channel) => (error ? reject(error) : resolve(channel))));
    return this.answered(opening, "opening a channel for a command", () => client);
  }

  /**
   * Runs `use` with the SFTP session. All of it, connecting included, must end within the reply timeout,
   * or the call fails (and a connection it was using is dropped, closing the session with it).
   */
  withSftp<T>(what: string, use: (sftp: SFTPWrapper) => Promise<T>): Promise<T> {
    let client: Client | undefined;
    const work = this.ready().then(async (ready) => {
      client = ready;
      return use(await this.sftp());
    });
    return this.answered(work, what, () => client);
  }

  close(): void {
    this.closed = true;
    this.client?.end();
  }

  private sftp(): Promise<SFTPWrapper> {
    if (this.sftpSession) return this.sftpSession;
    const session = this.ready().then(
      (client) => new Promise<SFTPWrapper>((resolve, reject) => client.sftp((error, sftp) => (error ? reject(error) : resolve(sftp)))),
    );
    // A session that failed or that the server closed is opened again on next use, not kept.
    const forget = () => {
      if (this.sftpSession === session) this.sftpSession = undefined;
    };
    session.then((sftp) => sftp.once("close", forget), forget);
    this.sftpSession = session;
    return session;
  }

  /** `work`, or an SshTimeoutError once the reply timeout has passed, which drops the connection `work` was using. */
  private answered<T>(work: Promise<T>, what: string, using: () => Client | undefined): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const message = `${what} on ${this.target.host}:${this.target.port} had no answer within ${this.replyTimeoutMs} ms`;
        const client = using();
        if (client) this.drop(client, message);
        reject(new SshTimeoutError(message));
      }, this.replyTimeoutMs);
      work.then(resolve, reject).finally(() => clearTimeout(timer));
    });
  }

  private drop(client: Client, reason: string): void {
    if (this.client === client) {
      this.client = undefined;
      this.sftpSession = undefined;
    }
    this.log.warn(`${reason}; dropping the connection`);
    // destroy, not end: a server that stopped answering may never finish a graceful close either.
    client.destroy();
  }

  private async connectWithRetry(): Promise<Client> {
    for (;;) {
      try {
        const client = await this.connectOnce();
        this.attempt = 0;
        return client;
      } catch (error) {
        if (error instanceof HostKeyMismatchError || this.closed || this.attempt + 1 >= (this.reconnect.attempts ?? Infinity)) throw error;
        const delay = backoffDelay(this.attempt++, this.reconnect.minMs, this.reconnect.maxMs);
        this.log.warn(`SSH to ${this.target.host}:${this.target.port} failed (${(error as Error).message}); retrying in ${delay} ms`);
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  private connectOnce(): Promise<Client> {
    const { target } = this;
    return new Promise((resolve, reject) => {
      const client = new Client();
      let mismatch: HostKeyMismatchError | undefined;
      client
        .once("ready", () => {
          this.client = client;
          resolve(client);
        })
        // on, not once: ssh2 may report more than one error for a connection (a parser error, then the socket's reset),
        // and an error event with no listener would end the whole bridge. Once connected, close reports the loss.
        .on("error", (error) => reject(mismatch ?? error))
        .once("close", () => {
          if (this.client === client) {
            this.client = undefined;
            this.sftpSession = undefined;
            this.log.warn(`SSH connection to ${target.host}:${target.port} closed`);
          }
        })
        .connect({
          host: target.host,
          port: target.port,
          username: target.username,
          privateKey: target.privateKey,
          password: target.password,
          agentForward: false,
          keepaliveInterval: 15_000,
          keepaliveCountMax: 3,
          readyTimeout: 15_000,
          hostVerifier: (key: Buffer) => {
            const seen = hostKeyFingerprint(key);
            if (target.hostKeysSha256.includes(seen)) return true;
            const expected = target.hostKeysSha256.length ? `not the pinned ${target.hostKeysSha256.join(" or ")}` : "not a known key";
            mismatch = new HostKeyMismatchError(`Host key of ${target.host}:${target.port} is ${seen}, ${expected}. Refusing to connect.`, seen);
            return false;
          },
        });
    });
  }
}
