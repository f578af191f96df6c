import type { GreyImage } from './grey-png';

export type FrameSource = 'streamed' | 'full-resolution';

/**
 * The review canvas and its image tools: window/level applied to the frame's grey values (a window over the frame's
 * range: centre and width as fractions of it), invert, zoom about the pointer and pan. Frames come either as the
 * streamed tier (an 8-bit JPEG) or at full resolution (the stored bits); the tools apply to both alike.
 */
export class ReviewCanvas {
  level = 0.5;
  width = 1;
  invert = false;
  zoom = 1;
  panX = 0;
  panY = 0;
  source: FrameSource = 'streamed';
  frameNumber = 0;
  private image: GreyImage | null = null;
  private low = 0;
  private high = 255;
  private readonly work = document.createElement('canvas');
  private readonly workContext = this.work.getContext('2d', { willReadFrequently: true })!;
  /** Called when the frame shown is magnified past 1:1 (zoomed in, or a streamed tier smaller than the canvas) and is
   * not yet the full-resolution one. */
  onNeedFullResolution: (frameNumber: number) => void = () => {};
  /** Called after every render (the discussion draws its marks over the frame then). */
  onRender: () => void = () => {};

  constructor(readonly canvas: HTMLCanvasElement) {}

  /** A streamed frame: its grey values read back from the decoded JPEG. */
  showStreamed(frameNumber: number, bitmap: ImageBitmap): void {
    this.work.width = bitmap.width;
    this.work.height = bitmap.height;
    this.workContext.drawImage(bitmap, 0, 0);
    const rgba = this.workContext.getImageData(0, 0, bitmap.width, bitmap.height).data;
    const grey = new Uint8Array(bitmap.width * bitmap.height);
    for (let i = 0; i < grey.length; i++) grey[i] = rgba[4 * i]!;
    this.take({ width: bitmap.width, height: bitmap.height, pixels: grey }, frameNumber, 'streamed', 0, 255);
  }

  /** The full-resolution frame: its window runs over the frame's own range of stored values. */
  showFullResolution(frameNumber: number, image: GreyImage): void {
    let low = Infinity;
    let high = -Infinity;
    for (const v of image.pixels) {
      if (v < low) low = v;
      if (v > high) high = v;
    }
    this.take(image, frameNumber, 'full-resolution', low, Math.max(high, low + 1));
  }

  /** Displayed pixels per pixel of the frame shown. */
  get magnification(): number {
    if (!this.image) return 1;
    return Math.min(this.canvas.width / this.image.width, this.canvas.height / this.image.height) * this.zoom;
  }

  get sourceWidth(): number {
    return this.image?.width ?? 0;
  }

  windowBy(dx: number, dy: number): void {
    this.width = clamp(this.width * Math.exp(dx / 150), 0.02, 4);
    this.level = clamp(this.level + dy / this.canvas.height, -1, 2);
    this.render();
  }

  zoomAt(factor: number, x: number, y: number): void {
    const zoom = clamp(this.zoom * factor, 1, 16);
    const applied = zoom / this.zoom;
    // Keep the point under the pointer where it is.
    const cx = x - this.canvas.width / 2;
    const cy = y - this.canvas.height / 2;
    this.panX = cx - (cx - this.panX) * applied;
    this.panY = cy - (cy - this.panY) * applied;
    this.zoom = zoom;
    if (zoom === 1) this.panX = this.panY = 0;
    this.render();
    this.askForFullResolution();
  }

  panBy(dx: number, dy: number): void {
    this.panX += dx;
    this.panY += dy;
    this.render();
  }

  reset(): void {
    this.level = 0.5;
    this.width = 1;
    this.invert = false;
    this.zoom = 1;
    this.panX = this.panY = 0;
    this.render();
  }

  render(): void {
    const context = this.canvas.getContext('2d')!;
    context.setTransform(1, 0, 0, 1, 0, 0);
    context.fillStyle = '#000';
    context.fillRect(0, 0, this.canvas.width, this.canvas.height);
    const image = this.image;
    if (!image) return;
    this.work.width = image.width;
    this.work.height = image.height;
    const out = this.workContext.createImageData(image.width, image.height);
    const lut = this.lookUpTable();
    const pixels = image.pixels;
    const rgba = out.data;
    for (let i = 0; i < pixels.length; i++) {
      const g = lut[pixels[i]! - this.low] ?? 0;
      rgba[4 * i] = rgba[4 * i + 1] = rgba[4 * i + 2] = g;
      rgba[4 * i + 3] = 255;
    }
    this.workContext.putImageData(out, 0, 0);
    const scale = this.magnification;
    context.imageSmoothingEnabled = scale < 2;
    context.setTransform(scale, 0, 0, scale, this.canvas.width / 2 + this.panX, this.canvas.height / 2 + this.panY);
    context.drawImage(this.work, -image.width / 2, -image.height / 2);
    this.onRender();
  }

  /** Where a point of the frame (fractions of its width and height) is drawn on the canvas, zoom and pan applied. */
  frameToCanvas(fx: number, fy: number): { x: number; y: number } {
    const w = this.image?.width ?? this.canvas.width;
    const h = this.image?.height ?? this.canvas.height;
    const scale = this.image ? this.magnification : this.zoom;
    return { x: (fx * w - w / 2) * scale + this.canvas.width / 2 + this.panX, y: (fy * h - h / 2) * scale + this.canvas.height / 2 + this.panY };
  }

  /** The point of the frame (fractions of its width and height) under a canvas point. */
  canvasToFrame(x: number, y: number): { fx: number; fy: number } {
    const w = this.image?.width ?? this.canvas.width;
    const h = this.image?.height ?? this.canvas.height;
    const scale = this.image ? this.magnification : this.zoom;
    return { fx: ((x - this.canvas.width / 2 - this.panX) / scale + w / 2) / w, fy: ((y - this.canvas.height / 2 - this.panY) / scale + h / 2) / h };
  }

  private take(image: GreyImage, frameNumber: number, source: FrameSource, low: number, high: number): void {
    this.image = image;
    this.frameNumber = frameNumber;
    this.source = source;
    this.low = low;
    this.high = high;
    this.render();
    this.askForFullResolution();
  }

  askForFullResolution(): void {
    if (this.image && this.source === 'streamed' && this.magnification > 1) this.onNeedFullResolution(this.frameNumber);
  }

  /** Display value for each stored value from low to high. */
  private lookUpTable(): Uint8Array {
    const span = this.high - this.low;
    const lut = new Uint8Array(span + 1);
    const bottom = this.level - this.width / 2;
    for (let v = 0; v <= span; v++) {
      const shown = Math.round(clamp((v / span - bottom) / this.width, 0, 1) * 255);
      lut[v] = this.invert ? 255 - shown : shown;
    }
    return lut;
  }
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}
