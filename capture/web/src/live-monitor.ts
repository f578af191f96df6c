import { liveSocketUrl, readFrameMessage, type FrameMessage } from './frame-message';
import { LiveVideo, vp8Supported } from './live-video';

/**
 * A live monitor: watches one exam over the viewer's WebSocket (/live/ws, token in the first message) and draws each
 * JPEG frame. The last frame stays on the canvas when emission stops (last-image hold).
 */
export class LiveMonitor {
  private socket: WebSocket | null = null;
  private examId = '';
  frames = 0;
  lastImageHold = false;
  onFrame: () => void = () => {};
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
    if (examId === this.examId && this.socket) return;
    this.stop();
    this.examId = examId;
    const socket = new WebSocket(liveSocketUrl());
    socket.binaryType = 'arraybuffer';
    socket.onopen = async () => {
      this.codec = (await this.vp8) ? 'vp8' : 'jpeg';
      socket.send(JSON.stringify({ token: this.token, examId, bestTier: this.tier, maxFps: 0, codec: this.codec }));
    };
    socket.onmessage = (m) => {
      if (m.data instanceof ArrayBuffer) void this.draw(socket, m.data);
    };
    socket.onclose = () => {
      if (this.socket === socket) this.socket = null;
    };
    this.socket = socket;
  }

  stop(): void {
    this.socket?.close(1000, 'stopped');
    this.socket = null;
    this.examId = '';
    this.video?.close();
    this.video = null;
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
