import type { FrameHeader } from './frame-message';

/** Whether this browser can show the live feed's VP8 stream: WebCodecs is there and says it decodes 'vp8'. */
export async function vp8Supported(): Promise<boolean> {
  if (typeof VideoDecoder === 'undefined') return false;
  try {
    return (await VideoDecoder.isConfigSupported({ codec: 'vp8' })).supported === true;
  } catch {
    return false;
  }
}

/** Key-frame requests are repeated no more often than this while none has come. */
const KeyFrameAskIntervalMs = 500;

/**
 * The live feed's VP8 frames decoded with WebCodecs and drawn on the live monitor's canvas. A frame that cannot be
 * right is rejected before it reaches the decoder: a key frame without VP8's start code or size, a frame shorter than
 * its own first partition, an inter frame that does not follow the previous frame of its stream (frames missing in
 * between). A decoder error (the decoder closes itself) is caught too. Either way the frame is counted, the decoder
 * is dropped, and nothing is decoded until a key frame comes, which is asked of the station; the last picture stays.
 */
export class LiveVideo {
  decoded = 0;
  rejected = 0;
  skipped = 0;
  keyFramesAsked = 0;
  lastProblem = '';
  private decoder: VideoDecoder | null = null;
  private configured = '';
  private awaitingKeyFrame = true;
  private lastAskMs = -Infinity;
  private previous: { width: number; sequence: number } | null = null;
  onPicture: () => void = () => {};

  constructor(private readonly canvas: HTMLCanvasElement, private readonly askKeyFrame: () => void) {}

  /** One frame as it came off the socket; never throws. */
  push(header: FrameHeader, data: Uint8Array): void {
    const key = header.keyFrame === true;
    const sequence = header.sequence ?? 0;
    const follows = this.previous !== null && this.previous.width === header.width && this.previous.sequence + 1 === sequence;
    this.previous = { width: header.width, sequence };
    const problem = frameProblem(header, data);
    if (problem) return this.reject(problem);
    if (!key && !this.awaitingKeyFrame && !follows) return this.reject(`inter frame ${sequence} does not follow the previous frame`);
    if (this.awaitingKeyFrame && !key) {
      this.skipped++;
      this.askForKeyFrame();
      return;
    }
    try {
      const decoder = this.ready(header);
      decoder.decode(new EncodedVideoChunk({ type: key ? 'key' : 'delta', timestamp: header.frameNumber, data }));
      this.awaitingKeyFrame = false;
    } catch (e) {
      this.reject(`decode: ${String(e)}`);
    }
  }

  close(): void {
    this.drop();
  }

  private ready(header: FrameHeader): VideoDecoder {
    const size = `${header.width}x${header.height}`;
    if (this.decoder?.state === 'configured' && this.configured === size) return this.decoder;
    this.drop();
    const decoder = new VideoDecoder({
      output: (picture) => this.draw(picture),
      error: (e) => {
        if (this.decoder === decoder) this.reject(`decoder: ${e.message}`);
      },
    });
    decoder.configure({ codec: 'vp8', codedWidth: header.width, codedHeight: header.height, optimizeForLatency: true });
    this.decoder = decoder;
    this.configured = size;
    return decoder;
  }

  private draw(picture: VideoFrame): void {
    try {
      this.canvas.getContext('2d')!.drawImage(picture, 0, 0, this.canvas.width, this.canvas.height);
      this.decoded++;
    } finally {
      picture.close();
    }
    this.onPicture();
  }

  private reject(problem: string): void {
    this.rejected++;
    this.lastProblem = problem;
    this.drop();
    this.awaitingKeyFrame = true;
    this.lastAskMs = -Infinity;
    this.askForKeyFrame();
  }

  private askForKeyFrame(): void {
    const now = performance.now();
    if (now - this.lastAskMs < KeyFrameAskIntervalMs) return;
    this.lastAskMs = now;
    this.keyFramesAsked++;
    this.askKeyFrame();
  }

  private drop(): void {
    const decoder = this.decoder;
    this.decoder = null;
    this.configured = '';
    if (decoder && decoder.state !== 'closed') decoder.close();
  }
}

/** Why a VP8 frame cannot be decoded, from its own headers (RFC 6386, 9.1), or '' when it may be. */
function frameProblem(header: FrameHeader, data: Uint8Array): string {
  if (data.length < 3) return `a ${data.length}-byte frame`;
  const tag = data[0]! | (data[1]! << 8) | (data[2]! << 16);
  const key = (tag & 1) === 0;
  const firstPartition = tag >>> 5;
  if (key !== (header.keyFrame === true)) return 'the frame and its header disagree on whether it is a key frame';
  const headerBytes = key ? 10 : 3;
  if (data.length < headerBytes + firstPartition) return `truncated: ${data.length} bytes, the first partition alone needs ${headerBytes + firstPartition}`;
  if (!key) return '';
  if (data[3] !== 0x9d || data[4] !== 0x01 || data[5] !== 0x2a) return 'a key frame without the VP8 start code';
  const width = (data[6]! | (data[7]! << 8)) & 0x3fff;
  const height = (data[8]! | (data[9]! << 8)) & 0x3fff;
  if (width !== header.width || height !== header.height) return `a ${width}×${height} key frame announced as ${header.width}×${header.height}`;
  return '';
}
