/** One frame of /live/ws: a 4-byte little-endian header length, the JSON header, then the JPEG. */
export interface FrameHeader {
  frameNumber: number;
  width: number;
  height: number;
  tier: string;
  runId?: string;
  lastImageHold?: boolean;
}

export interface FrameMessage {
  header: FrameHeader;
  jpeg: Blob;
}

export function readFrameMessage(buffer: ArrayBuffer): FrameMessage {
  const headerLength = new DataView(buffer).getUint32(0, true);
  const header = JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, 4, headerLength))) as FrameHeader;
  return { header, jpeg: new Blob([new Uint8Array(buffer, 4 + headerLength)], { type: 'image/jpeg' }) };
}

/** The URL of the viewer's WebSocket, next to the page. */
export function liveSocketUrl(): URL {
  const url = new URL('live/ws', location.href);
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return url;
}
