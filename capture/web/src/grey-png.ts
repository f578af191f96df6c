/** A grey image with its stored values: 8-bit or 16-bit samples, row by row. */
export interface GreyImage {
  width: number;
  height: number;
  pixels: Uint8Array | Uint16Array;
}

/**
 * Decodes a non-interlaced grey PNG (colour type 0, 8 or 16 bits) into its sample values. The browser's own decoders
 * give 8 bits a channel; the full-resolution frame's point is its stored bits, so the page reads them itself.
 */
export async function decodeGreyPng(png: ArrayBuffer): Promise<GreyImage> {
  const data = new DataView(png);
  let width = 0;
  let height = 0;
  let depth = 0;
  const idat: Uint8Array[] = [];
  for (let at = 8; at + 8 <= png.byteLength; ) {
    const length = data.getUint32(at);
    const type = String.fromCharCode(data.getUint8(at + 4), data.getUint8(at + 5), data.getUint8(at + 6), data.getUint8(at + 7));
    if (type === 'IHDR') {
      width = data.getUint32(at + 8);
      height = data.getUint32(at + 12);
      depth = data.getUint8(at + 16);
      const colour = data.getUint8(at + 17);
      const interlace = data.getUint8(at + 20);
      if (colour !== 0 || (depth !== 8 && depth !== 16) || interlace !== 0) throw new Error(`not an 8/16-bit grey PNG (colour ${colour}, depth ${depth}, interlace ${interlace})`);
    } else if (type === 'IDAT') {
      idat.push(new Uint8Array(png, at + 8, length));
    } else if (type === 'IEND') {
      break;
    }
    at += 12 + length;
  }
  const inflated = new Uint8Array(await new Response(new Blob(idat as BlobPart[]).stream().pipeThrough(new DecompressionStream('deflate'))).arrayBuffer());
  const bytesPerPixel = depth / 8;
  const stride = width * bytesPerPixel;
  const rows = unfilter(inflated, stride, height, bytesPerPixel);
  if (depth === 8) return { width, height, pixels: rows };
  const pixels = new Uint16Array(width * height);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (rows[2 * i]! << 8) | rows[2 * i + 1]!;
  return { width, height, pixels };
}

/** Undoes PNG's per-row filters (none, sub, up, average, Paeth: ISO/IEC 15948, 9). */
function unfilter(filtered: Uint8Array, stride: number, height: number, bpp: number): Uint8Array {
  const out = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = filtered[y * (stride + 1)]!;
    const from = y * (stride + 1) + 1;
    const row = y * stride;
    const above = row - stride;
    for (let x = 0; x < stride; x++) {
      const raw = filtered[from + x]!;
      const a = x >= bpp ? out[row + x - bpp]! : 0;
      const b = y > 0 ? out[above + x]! : 0;
      const c = x >= bpp && y > 0 ? out[above + x - bpp]! : 0;
      let predictor = 0;
      if (filter === 1) predictor = a;
      else if (filter === 2) predictor = b;
      else if (filter === 3) predictor = (a + b) >> 1;
      else if (filter === 4) predictor = paeth(a, b, c);
      out[row + x] = (raw + predictor) & 0xff;
    }
  }
  return out;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}
