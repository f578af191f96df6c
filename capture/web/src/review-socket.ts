import { liveSocketUrl, readFrameMessage, type FrameHeader } from './frame-message';

/** What the page asks of playback: the review object of /live/ws (docs/live-feed.md, review of recorded runs). */
export interface ReviewRequest {
  runId: string;
  startFrame: number;
  fps: number;
  frameCount: number;
  loop: boolean;
}

/** Where playback is, as the station says (ReviewStatus). */
export interface ReviewStatus {
  runId: string;
  state: string;
  frameNumber: number;
  frames: number;
  recording: boolean;
  fps: number;
  detail: string;
}

/**
 * One review session over /live/ws: the first request goes in the hello (with the token), later ones seek, step,
 * change rate or run on the same socket. Each frame is decoded, handed on, and then acknowledged (the station paces
 * by acknowledgements).
 */
export class ReviewSocket {
  private socket: WebSocket | null = null;
  private decoding: Promise<void> = Promise.resolve();
  ignored = 0;
  onFrame: (header: FrameHeader, bitmap: ImageBitmap) => void = () => {};
  onStatus: (status: ReviewStatus) => void = () => {};
  onClosed: (code: number, reason: string) => void = () => {};

  constructor(private readonly token: string, private readonly examId: string) {}

  request(review: ReviewRequest): void {
    const socket = this.socket;
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify({ review }));
      return;
    }
    if (socket && socket.readyState === WebSocket.CONNECTING) {
      socket.addEventListener('open', () => socket.send(JSON.stringify({ review })), { once: true });
      return;
    }
    this.open(review);
  }

  pause(): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify({ pause: true }));
  }

  close(): void {
    const socket = this.socket;
    this.socket = null;
    socket?.close(1000, 'review closed');
  }

  private open(review: ReviewRequest): void {
    const socket = new WebSocket(liveSocketUrl());
    socket.binaryType = 'arraybuffer';
    socket.onopen = () => socket.send(JSON.stringify({ token: this.token, examId: this.examId, bestTier: 'diagnostic', review }));
    socket.onmessage = (m) => {
      // Decoded one after another: two JPEGs decoding at once may finish out of order (one at a smaller tier after an
      // adaptation step), and a run is drawn in its order.
      if (m.data instanceof ArrayBuffer) {
        const buffer = m.data;
        this.decoding = this.decoding.then(() => this.take(socket, buffer));
      }
      else this.read(String(m.data));
    };
    socket.onclose = (e) => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.onClosed(e.code, e.reason);
    };
    this.socket = socket;
  }

  private async take(socket: WebSocket, buffer: ArrayBuffer): Promise<void> {
    const { header, jpeg } = readFrameMessage(buffer);
    const bitmap = await createImageBitmap(jpeg).catch(() => null);
    if (!bitmap) {
      this.ignored++;
      return;
    }
    if (this.socket === socket) this.onFrame(header, bitmap);
    bitmap.close();
    if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ ack: header.frameNumber }));
  }

  private read(text: string): void {
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      this.ignored++;
      return;
    }
    const review = (message as { type?: string; event?: { review?: Partial<Record<keyof ReviewStatus, unknown>> } }).event?.review;
    if (!review) {
      this.ignored++;
      return;
    }
    this.onStatus({
      runId: String(review.runId ?? ''),
      state: String(review.state ?? ''),
      frameNumber: Number(review.frameNumber ?? 0),
      frames: Number(review.frames ?? 0),
      recording: review.recording === true,
      fps: Number(review.fps ?? 0),
      detail: String(review.detail ?? ''),
    });
  }
}
