import { parseServerMessage, type ServerMessage } from './messages';

export class CommandRefused extends Error {
  constructor(readonly status: string, readonly detail: string) {
    super(`${status}: ${detail}`);
  }
}

type Waiter = { resolve: (reply: unknown) => void; reject: (e: Error) => void; sentAt: number };

/**
 * The technician console's WebSocket: signs in with the token in the first message (never in the URL), then sends
 * commands (each answered with an ack or a refusal, matched by id) and hands every other message to a listener.
 */
export class ConsoleConnection {
  private readonly socket: WebSocket;
  private nextId = 1;
  private readonly waiting = new Map<number, Waiter>();
  /** Round trips (ms) of answered commands, click to acknowledgement; read by the browser tests. */
  readonly roundTrips: number[] = [];
  /** Server messages that were not console messages: ignored and counted. */
  ignored = 0;
  onMessage: (m: ServerMessage) => void = () => {};
  onClose: (code: number, reason: string) => void = () => {};

  constructor(url: string, token: string) {
    this.socket = new WebSocket(url);
    this.socket.onopen = () => this.socket.send(JSON.stringify({ token }));
    this.socket.onmessage = (e) => this.receive(e.data);
    this.socket.onclose = (e) => {
      for (const w of this.waiting.values()) w.reject(new CommandRefused('Unavailable', 'the connection to the station closed'));
      this.waiting.clear();
      this.onClose(e.code, e.reason);
    };
  }

  get open(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  /** Sends a command of the control API and resolves with its reply, or rejects with the station's refusal. */
  call<T>(command: string, request: object = {}): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      if (!this.open) {
        reject(new CommandRefused('Unavailable', 'not connected to the station'));
        return;
      }
      this.waiting.set(id, { resolve: resolve as (r: unknown) => void, reject, sentAt: performance.now() });
      this.socket.send(JSON.stringify({ id, command, request }));
    });
  }

  /** Sends a message that is not answered with an ack (the exposure button's press, renewals and release). */
  send(command: string, request: object = {}): number {
    const id = this.nextId++;
    if (this.open) this.socket.send(JSON.stringify({ id, command, request }));
    return id;
  }

  close(): void {
    this.socket.close(1000, 'signed out');
  }

  private receive(data: unknown): void {
    const m = typeof data === 'string' ? parseServerMessage(data) : null;
    if (m === null) {
      this.ignored++;
      return;
    }
    if ((m.type === 'ack' || m.type === 'refused') && m.id !== undefined && this.waiting.has(m.id)) {
      const w = this.waiting.get(m.id)!;
      this.waiting.delete(m.id);
      this.roundTrips.push(performance.now() - w.sentAt);
      if (m.type === 'ack') w.resolve(m.reply);
      else w.reject(new CommandRefused(m.status, m.detail));
      return;
    }
    this.onMessage(m);
  }
}
