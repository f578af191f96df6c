import { liveSocketUrl, readFrameMessage } from './frame-message';

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

  constructor(private readonly canvas: HTMLCanvasElement, private readonly token: string, private readonly tier: 'diagnostic' | 'preview') {}

  get watching(): string {
    return this.examId;
  }

  watch(examId: string): void {
    if (examId === this.examId && this.socket) return;
    this.stop();
    this.examId = examId;
    const socket = new WebSocket(liveSocketUrl());
    socket.binaryType = 'arraybuffer';
    socket.onopen = () => socket.send(JSON.stringify({ token: this.token, examId, bestTier: this.tier, maxFps: 0 }));
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
  }

  private async draw(socket: WebSocket, buffer: ArrayBuffer): Promise<void> {
    const { header, jpeg } = readFrameMessage(buffer);
    const bitmap = await createImageBitmap(jpeg);
    this.canvas.getContext('2d')!.drawImage(bitmap, 0, 0, this.canvas.width, this.canvas.height);
    bitmap.close();
    if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ ack: header.frameNumber }));
    this.frames++;
    this.lastImageHold = header.lastImageHold === true;
    this.onFrame();
  }
}
