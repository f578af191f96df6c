import { liveSocketUrl, readFrameMessage, type FrameMessage } from './frame-message';
import { LiveVideo, vp8Supported } from './live-video';

/** Where the monitor's feed stands: shown to the user, read by the browser tests. */
export type LiveState = 'idle' | 'connecting' | 'live' | 'reconnecting' | 'ended' | 'refused';

/** How long a page waits before its next attempt after the station went away: 1 s, doubling up to 8 s. */
export function reconnectDelayMs(attempt: number): number {
  return Math.min(1000 * 2 ** Math.min(attempt, 3), 8000);
}

/** A station socket's close that coming back would not change: a normal close (the exam or the session ended) or a
 * refusal (1007, 44xx). Anything else (1001 on shutdown, a lost connection) is worth another attempt. */
export function closeIsFinal(code: number): boolean {
  return code === 1000 || code === 1007 || (code >= 4400 && code < 4500);
}

/**
 * A live monitor: watches one exam over the viewer's WebSocket (/live/ws, token in the first message) and draws each
 * JPEG frame. The last frame stays on the canvas when emission stops (last-image hold). When the station goes away
 * (a restart: close 1001, or the connection lost) it watches again by itself; a normal close (the exam or the session
 * ended) or a refusal (4401, 4403, 1007) is final.
 */
export class LiveMonitor {
  private socket: WebSocket | null = null;
  private examId = '';
  private retryTimer = 0;
  private attempt = 0;
  frames = 0;
  lastImageHold = false;
  state: LiveState = 'idle';
  /** Why the feed ended or was refused, as the station said. */
  closeReason = '';
  reconnects = 0;
  onFrame: () => void = () => {};
  onState: () => void = () => {};
  /** What the frames come as: VP8 where WebCodecs decodes it (asked for in the hello), JPEG otherwise. */
  codec: 'vp8' | 'jpeg' = 'jpeg';
  video: LiveVideo | null = null;
  private readonly vp8: Promise<boolean>;

  /** allowVideo: ask for VP8 where the browser decodes it (an observer on a slow link); the console keeps JPEG. */
  constructor(private readonly canvas: HTMLCanvasElement, private readonly token: string, private readonly tier: 'diagnostic' | 'preview', allowVideo = false) {
    this.vp8 = allowVideo ? vp8Supported() : Promise.resolve(false);
  }

  get watching(): string {
    return this.examId;
  }

  watch(examId: string): void {
    if (examId === this.examId && (this.socket || this.state === 'reconnecting')) return;
    this.stop();
    this.examId = examId;
    this.attempt = 0;
    this.connect('connecting');
  }

  stop(): void {
    window.clearTimeout(this.retryTimer);
    const socket = this.socket;
    this.socket = null;
    socket?.close(1000, 'stopped');
    this.examId = '';
    this.video?.close();
    this.video = null;
    this.setState('idle');
  }

  private connect(state: LiveState): void {
    const examId = this.examId;
    const socket = new WebSocket(liveSocketUrl());
    socket.binaryType = 'arraybuffer';
    socket.onopen = async () => {
      this.codec = (await this.vp8) ? 'vp8' : 'jpeg';
      socket.send(JSON.stringify({ token: this.token, examId, bestTier: this.tier, maxFps: 0, codec: this.codec }));
      this.attempt = 0;
      this.setState('live');
    };
    socket.onmessage = (m) => {
      if (m.data instanceof ArrayBuffer) void this.draw(socket, m.data);
    };
    socket.onclose = (e) => {
      if (this.socket !== socket) return; // stopped, or replaced by another watch
      this.socket = null;
      this.closeReason = e.reason;
      // A new socket is a new video stream: its decoder starts again at the stream's first key frame.
      this.video?.close();
      this.video = null;
      if (closeIsFinal(e.code)) this.setState(e.code === 1000 ? 'ended' : 'refused');
      else {
        this.setState('reconnecting');
        this.retryTimer = window.setTimeout(() => {
          this.reconnects++;
          this.connect('reconnecting');
        }, reconnectDelayMs(this.attempt++));
      }
    };
    this.socket = socket;
    this.setState(state);
  }

  private setState(state: LiveState): void {
    if (state === this.state) return;
    this.state = state;
    this.onState();
  }

  private async draw(socket: WebSocket, buffer: ArrayBuffer): Promise<void> {
    const message = readFrameMessage(buffer);
    if (message.header.codec === 'vp8') return this.pushVideo(socket, message);
    const { header, jpeg } = message;
    const bitmap = await createImageBitmap(jpeg);
    this.canvas.getContext('2d')!.drawImage(bitmap, 0, 0, this.canvas.width, this.canvas.height);
    bitmap.close();
    if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ ack: header.frameNumber }));
    this.frames++;
    this.lastImageHold = header.lastImageHold === true;
    this.onFrame();
  }

  private pushVideo(socket: WebSocket, { header, payload }: FrameMessage): void {
    if (!this.video) {
      this.video = new LiveVideo(this.canvas, () => {
        if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify({ keyFrame: true }));
      });
      this.video.onPicture = () => {
        this.frames++;
        this.onFrame();
      };
    }
    if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ ack: header.frameNumber }));
    this.lastImageHold = header.lastImageHold === true;
    this.video.push(header, payload);
  }
}
