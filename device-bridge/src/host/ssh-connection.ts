import { createHash } from "node:crypto";
import { Client, type ClientChannel, type ServerHostKeyAlgorithm, type SFTPWrapper } from "ssh2";
import { backoffDelay } from "../link/backoff.js";
import type { Logger } from "../log.js";
import { type SessionUse, SessionSlots } from "./ssh-sessions.js";

export interface SshTarget {
  host: string;
  port: number;
  username: string;
  privateKey?: string;
  password?: string;
  /** The host keys accepted, each as `SHA256:<base64>` (what `ssh-keygen -lf` prints), of any type; any other is refused. */
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

/** The sessions OpenSSH lets one connection hold at once (its MaxSessions, unless sshd_config says otherwise); the SFTP session is one. */
const MAX_SESSIONS = 10;
/** Commands leave one session beside the SFTP one to kills: a stop reaches a program even while commands hold all the others. */
const SESSION_LIMITS: Readonly<Record<SessionUse, number>> = { command: MAX_SESSIONS - 2, kill: MAX_SESSIONS - 1 };

/** The host key algorithms offered, ssh2's defaults in its order of preference. */
const HOST_KEY_ALGORITHMS: readonly ServerHostKeyAlgorithm[] = [
  "ssh-ed25519",
  "ecdsa-sha2-nistp256",
  "ecdsa-sha2-nistp384",
  "ecdsa-sha2-nistp521",
  "rsa-sha2-512",
  "rsa-sha2-256",
  "ssh-rsa",
];

/** The type of key an algorithm signs with: the rsa-sha2 ones with an `ssh-rsa` key. */
function keyTypeOf(algorithm: string): string {
  return algorithm.startsWith("rsa-sha2-") ? "ssh-rsa" : algorithm;
}

/** The type a key names at its start, in the SSH wire format (a length, then the name). */
function keyTypeOfBlob(key: Buffer): string {
  return key.length < 4 ? "" : key.toString("latin1", 4, 4 + key.readUInt32BE(0));
}

export interface ExecOptions {
  /** "kill" for a command that stops another: it may take the session kept for stops. */
  use?: SessionUse;
  /** Gives up waiting for a session or the connection: the command then never starts. */
  signal?: AbortSignal;
}

/** The server did not answer in time; the connection it was asked on has been dropped. */
export class SshTimeoutError extends Error {}

/** The server showed a host key that is not pinned. */
class UnpinnedKey extends Error {
  constructor(
    readonly type: string,
    readonly fingerprint: string,
  ) {
    super(`host key ${fingerprint} is not pinned`);
  }
}

/** The server has a key of none of the types offered. */
class NoHostKeyInCommon extends Error {}

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
 * Commands beyond the sessions the server allows wait their turn.
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
  private readonly sessions = new SessionSlots(SESSION_LIMITS);
  /** The server's keys that are not pinned, by type: a handshake offers none of their algorithms, so the server shows another key. */
  private readonly unpinnedKeys = new Map<string, string>();

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

  /**
   * A channel running `command`, once a session is free and the server has opened it (within the reply timeout;
   * waiting for a session or a connection is not counted). The channel must be read to its end, which frees its session.
   */
  async exec(command: string, { use = "command", signal }: ExecOptions = {}): Promise<ClientChannel> {
    for (let refusedJustNow = false; ; refusedJustNow = !refusedJustNow) {
      await this.sessions.take(use, signal);
      try {
        const channel = await this.open(command, signal);
        channel.once("close", () => this.sessions.release());
        return channel;
      } catch (error) {
        this.sessions.putBack();
        const refused = typeof (error as { reason?: unknown }).reason === "number";
        if (!refused || this.sessions.held === 0) throw error;
      }
      // Refused while other sessions are open: OpenSSH still counts, for a moment, one that closed just before this open,
      // so a second try at once succeeds. Refused again, the server allows fewer sessions than assumed: wait for one to close.
      if (refusedJustNow) await this.sessions.released(signal);
    }
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

  private async open(command: string, signal: AbortSignal | undefined): Promise<ClientChannel> {
    const client = await this.ready();
    signal?.throwIfAborted();
    const opening = new Promise<ClientChannel>((resolve, reject) => client.exec(command, (error, channel) => (error ? reject(error) : resolve(channel))));
    return this.answered(opening, "opening a channel for a command", () => client);
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

  /**
   * A handshake settles on the first host key type both sides know, which need not be the pinned key's (an RSA
   * or ECDSA pin on a server that also has an ed25519 key): a key that is not pinned leaves its type out of the
   * next handshake, until the server shows a pinned key or has none left. Only keys are exchanged before that.
   */
  private async connectOnce(): Promise<Client> {
    for (;;) {
      const offered = HOST_KEY_ALGORITHMS.filter((algorithm) => !this.unpinnedKeys.has(keyTypeOf(algorithm)));
      if (offered.length === 0) throw this.mismatch();
      try {
        return await this.handshake(offered);
      } catch (error) {
        if (error instanceof NoHostKeyInCommon && this.unpinnedKeys.size > 0) throw this.mismatch();
        if (!(error instanceof UnpinnedKey)) throw error;
        this.unpinnedKeys.set(error.type, error.fingerprint);
        // A key of a type not offered would leave the next handshake offering the same: no end to the tries.
        const ruledOut = offered.some((algorithm) => keyTypeOf(algorithm) === error.type);
        if (!ruledOut || this.target.hostKeysSha256.length === 0) throw this.mismatch();
      }
    }
  }

  private mismatch(): HostKeyMismatchError {
    const { host, port, hostKeysSha256 } = this.target;
    const seen = [...this.unpinnedKeys.values()];
    // Learnt afresh on a later connect: the device may have been given its pinned key again.
    this.unpinnedKeys.clear();
    const pinned = hostKeysSha256.join(" or ");
    const message =
      seen.length > 1
        ? `Host keys of ${host}:${port} are ${seen.join(" and ")}, none of them the pinned ${pinned}.`
        : `Host key of ${host}:${port} is ${seen[0]}, ${pinned ? `not the pinned ${pinned}` : "not a known key"}.`;
    return new HostKeyMismatchError(`${message} Refusing to connect.`, seen[0] ?? "");
  }

  /** Connects offering only `hostKeyAlgorithms`; rejects with UnpinnedKey when the server shows a key that is not pinned. */
  private handshake(hostKeyAlgorithms: ServerHostKeyAlgorithm[]): Promise<Client> {
    const { target } = this;
    return new Promise((resolve, reject) => {
      const client = new Client();
      let unpinned: UnpinnedKey | undefined;
      let keyShown = false;
      client
        .once("ready", () => {
          this.client = client;
          resolve(client);
        })
        // on, not once: ssh2 may report more than one error for a connection (a parser error, then the socket's reset),
        // and an error event with no listener would end the whole bridge. Once connected, close reports the loss.
        .on("error", (error: Error & { level?: string }) => {
          if (!keyShown && error.level === "handshake") reject(new NoHostKeyInCommon(error.message));
          else reject(unpinned ?? error);
        })
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
          algorithms: { serverHostKey: hostKeyAlgorithms },
          hostVerifier: (key: Buffer) => {
            keyShown = true;
            const seen = hostKeyFingerprint(key);
            if (target.hostKeysSha256.includes(seen)) return true;
            unpinned = new UnpinnedKey(keyTypeOfBlob(key), seen);
            return false;
          },
        });
    });
  }
}
