import { parseDiscussionMessage, type DiscussionMessage } from './discussion-messages';
import { closeIsFinal, reconnectDelayMs } from './live-monitor';

export type DiscussionLink = 'idle' | 'connecting' | 'joined' | 'reconnecting' | 'refused' | 'closed';

/**
 * One participant's connection to the exam's discussion (/ws/discussion): the hello with the token (never in a URL),
 * then operations out and events in. It estimates the station's clock (the state's `now`, then a `clock` round trip),
 * and joins again by itself when the station goes away (1001 or a lost connection); a refused hello is final.
 */
export class DiscussionConnection {
  private socket: WebSocket | null = null;
  private attempt = 0;
  private retryTimer = 0;
  private clockAskedAt = 0;
  /** Station time minus local time (ms). */
  private offset = 0;
  link: DiscussionLink = 'idle';
  reason = '';
  ignored = 0;
  joins = 0;
  onMessage: (m: DiscussionMessage) => void = () => {};
  onLink: () => void = () => {};

  constructor(private readonly token: string, private readonly examId: string, private readonly name: string) {}

  /** The station's clock now, as estimated here (ms since the Unix epoch). */
  now(): number {
    return Date.now() + this.offset;
  }

  open(): void {
    const url = new URL('ws/discussion', location.href);
    url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const socket = new WebSocket(url);
    socket.onopen = () => socket.send(JSON.stringify({ token: this.token, examId: this.examId, name: this.name }));
    socket.onmessage = (e) => this.receive(socket, e.data);
    socket.onclose = (e) => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.reason = e.reason;
      if (closeIsFinal(e.code)) {
        this.setLink(e.code === 1000 ? 'closed' : 'refused');
        return;
      }
      this.setLink('reconnecting');
      this.retryTimer = window.setTimeout(() => this.open(), reconnectDelayMs(this.attempt++));
    };
    this.socket = socket;
    if (this.link !== 'reconnecting') this.setLink('connecting');
  }

  send(operation: Record<string, unknown>): boolean {
    if (this.socket?.readyState !== WebSocket.OPEN || this.link !== 'joined') return false;
    this.socket.send(JSON.stringify(operation));
    return true;
  }

  close(): void {
    window.clearTimeout(this.retryTimer);
    const socket = this.socket;
    this.socket = null;
    socket?.close(1000, 'left');
    this.setLink('idle');
  }

  private receive(socket: WebSocket, data: unknown): void {
    const m = typeof data === 'string' ? parseDiscussionMessage(data) : null;
    if (!m) {
      this.ignored++;
      return;
    }
    if (m.type === 'state') {
      this.offset = m.now - Date.now();
      this.attempt = 0;
      this.joins++;
      this.clockAskedAt = performance.now();
      socket.send(JSON.stringify({ type: 'clock' }));
      this.setLink('joined');
    } else if (m.type === 'clock') {
      // The midpoint of the round trip: the answer's `now` was read half-way, give or take the link's asymmetry.
      const half = (performance.now() - this.clockAskedAt) / 2;
      this.offset = m.now + half - Date.now();
    } else if (m.type === 'refused' && m.for === 'hello') {
      this.reason = m.reason;
    }
    this.onMessage(m);
  }

  private setLink(link: DiscussionLink): void {
    if (link === this.link) return;
    this.link = link;
    this.onLink();
  }
}
