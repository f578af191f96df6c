/** One frame of /live/ws: a 4-byte little-endian header length, the JSON header, then the JPEG (or a VP8 frame). */
export interface FrameHeader {
  frameNumber: number;
  width: number;
  height: number;
  tier: string;
  runId?: string;
  lastImageHold?: boolean;
  /** Only on a VP8 stream (the hello asked for codec vp8); see live-video.ts. */
  codec?: 'vp8';
  keyFrame?: boolean;
  sequence?: number;
}

export interface FrameMessage {
  header: FrameHeader;
  jpeg: Blob;
  payload: Uint8Array;
}

export function readFrameMessage(buffer: ArrayBuffer): FrameMessage {
  const headerLength = new DataView(buffer).getUint32(0, true);
  const header = JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, 4, headerLength))) as FrameHeader;
  const payload = new Uint8Array(buffer, 4 + headerLength);
  return { header, jpeg: new Blob([payload], { type: 'image/jpeg' }), payload };
}

/** The URL of the viewer's WebSocket, next to the page. */
export function liveSocketUrl(): URL {
  const url = new URL('live/ws', location.href);
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return url;
}
