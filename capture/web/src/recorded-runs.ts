/** A run of the exam as GET /live/runs lists it (RecordedRunInfo in the protobuf JSON mapping: defaults omitted). */
export interface RecordedRun {
  runId: string;
  number: number;
  protocol: string;
  kind: string;
  frames: number;
  frameRate: number;
  startedUnixUs: string;
  referenceAirKermaMgy: number;
  doseAreaProductGycm2: number;
  dsa: boolean;
  recording: boolean;
  width: number;
  height: number;
  bitsStored: number;
  thumbnailJpeg: string;
  problem: string;
}

/** The station's answer when a request fails: {"status","detail"}. */
export class StationRefusal extends Error {
  constructor(readonly httpStatus: number, readonly status: string, detail: string) {
    super(detail);
  }
}

function authorised(token: string): RequestInit {
  return { headers: { Authorization: `Bearer ${token}` }, cache: 'no-store' };
}

async function refusal(reply: Response): Promise<StationRefusal> {
  const body = (await reply.json().catch(() => ({}))) as { status?: string; detail?: string };
  return new StationRefusal(reply.status, body.status ?? `HTTP ${reply.status}`, body.detail ?? reply.statusText);
}

/** The exam's recorded runs; the token travels in the Authorization header, never in the URL. */
export async function listRecordedRuns(token: string, examId: string, thumbnailWidth: number): Promise<RecordedRun[]> {
  const url = new URL('live/runs', location.href);
  url.searchParams.set('exam', examId);
  url.searchParams.set('thumbnailWidth', String(thumbnailWidth));
  const reply = await fetch(url, authorised(token));
  if (!reply.ok) throw await refusal(reply);
  const body = (await reply.json()) as { runs?: Partial<RecordedRun>[] };
  return (body.runs ?? []).map((r) => ({
    runId: r.runId ?? '',
    number: r.number ?? 0,
    protocol: r.protocol ?? '',
    kind: r.kind ?? '',
    frames: r.frames ?? 0,
    frameRate: r.frameRate ?? 0,
    startedUnixUs: r.startedUnixUs ?? '0',
    referenceAirKermaMgy: r.referenceAirKermaMgy ?? 0,
    doseAreaProductGycm2: r.doseAreaProductGycm2 ?? 0,
    dsa: r.dsa ?? false,
    recording: r.recording ?? false,
    width: r.width ?? 0,
    height: r.height ?? 0,
    bitsStored: r.bitsStored ?? 0,
    thumbnailJpeg: r.thumbnailJpeg ?? '',
    problem: r.problem ?? '',
  }));
}

/** Frame N (1-based) of a run at full resolution: the stored pixels as a 16-bit grey PNG. */
export async function fetchFullResolutionFrame(token: string, examId: string, runId: string, frame: number): Promise<{ png: ArrayBuffer; bitsStored: number }> {
  const url = new URL('live/runs/frame', location.href);
  url.searchParams.set('exam', examId);
  url.searchParams.set('run', runId);
  url.searchParams.set('frame', String(frame));
  const reply = await fetch(url, authorised(token));
  if (!reply.ok) throw await refusal(reply);
  return { png: await reply.arrayBuffer(), bitsStored: Number(reply.headers.get('X-Bits-Stored') ?? '16') };
}
