import { isNumber, isObject, isString, parseJsonObject } from './json-shape';
/** The case discussion's messages as the page reads them (docs/discussion.md), shape-checked: anything else is ignored. */
export type Point = [number, number];

export interface Participant {
  id: string;
  name: string;
  role: string;
  colour: string;
  online: boolean;
}

export interface Playback {
  runId: string;
  frames: number;
  playing: boolean;
  rate: number;
  startFrame: number;
  t0: number;
}

export interface Floor {
  driver: string | null;
  requests: string[];
}

export interface Annotation {
  id: string;
  author: string;
  kind: string;
  runId: string;
  frame: number;
  points: Point[];
  text?: string;
}

export interface ChatLine {
  from: string;
  name: string;
  at: number;
  text: string;
}

export interface DiscussionView {
  window?: number;
  level?: number;
  zoom?: number;
}

export type DiscussionMessage =
  | { type: 'state'; examId: string; now: number; you: { id: string; colour: string }; participants: Participant[]; floor: Floor; playback: Playback | null; view: DiscussionView; annotations: Annotation[]; chat: ChatLine[] }
  | { type: 'playback'; by: string; playback: Playback }
  | { type: 'floor'; by: string; change: string; floor: Floor }
  | { type: 'view'; by: string; view: DiscussionView }
  | { type: 'annotation'; op: 'added' | 'edited' | 'deleted'; by: string; annotation: Annotation }
  | { type: 'chat'; chat: ChatLine }
  | { type: 'pointer'; from: string; x: number; y: number }
  | { type: 'joined'; participant: Participant }
  | { type: 'left'; id: string }
  | { type: 'clock'; now: number }
  | { type: 'refused'; for: string; reason: string };


function participant(v: unknown): Participant | null {
  if (!isObject(v) || !isString(v['id']) || !isString(v['name']) || !isString(v['colour'])) return null;
  return { id: v['id'], name: v['name'], role: isString(v['role']) ? v['role'] : '', colour: v['colour'], online: v['online'] !== false };
}

function playback(v: unknown): Playback | null {
  if (!isObject(v) || !isString(v['runId']) || !isNumber(v['frames']) || !isNumber(v['startFrame'])) return null;
  return { runId: v['runId'], frames: v['frames'], playing: v['playing'] === true, rate: isNumber(v['rate']) ? v['rate'] : 15, startFrame: v['startFrame'], t0: isNumber(v['t0']) ? v['t0'] : 0 };
}

function floor(v: unknown): Floor | null {
  if (!isObject(v)) return null;
  const requests = Array.isArray(v['requests']) ? v['requests'].filter(isString) : [];
  return { driver: isString(v['driver']) ? v['driver'] : null, requests };
}

function annotation(v: unknown): Annotation | null {
  if (!isObject(v) || !isString(v['id']) || !isString(v['author']) || !isString(v['kind']) || !isString(v['runId']) || !isNumber(v['frame'])) return null;
  const points = Array.isArray(v['points']) ? v['points'].filter((p): p is Point => Array.isArray(p) && p.length === 2 && isNumber(p[0]) && isNumber(p[1])) : [];
  const a: Annotation = { id: v['id'], author: v['author'], kind: v['kind'], runId: v['runId'], frame: v['frame'], points };
  if (isString(v['text'])) a.text = v['text'];
  return a;
}

function chat(v: unknown): ChatLine | null {
  if (!isObject(v) || !isString(v['from']) || !isString(v['text']) || !isNumber(v['at'])) return null;
  return { from: v['from'], name: isString(v['name']) ? v['name'] : v['from'], at: v['at'], text: v['text'] };
}

function view(v: unknown): DiscussionView {
  if (!isObject(v)) return {};
  const out: DiscussionView = {};
  if (isNumber(v['window'])) out.window = v['window'];
  if (isNumber(v['level'])) out.level = v['level'];
  if (isNumber(v['zoom'])) out.zoom = v['zoom'];
  return out;
}

function all<T>(v: unknown, read: (x: unknown) => T | null): T[] | null {
  if (v === undefined) return [];
  if (!Array.isArray(v)) return null;
  const out: T[] = [];
  for (const x of v) {
    const r = read(x);
    if (r === null) return null;
    out.push(r);
  }
  return out;
}

/** The message, or null when it is not one of the discussion's (counted and ignored by the caller). */
export function parseDiscussionMessage(text: string): DiscussionMessage | null {
  const m = parseJsonObject(text);
  if (!m || !isString(m['type'])) return null;
  switch (m['type']) {
    case 'state': {
      const you = m['you'];
      const participants = all(m['participants'], participant);
      const annotations = all(m['annotations'], annotation);
      const lines = all(m['chat'], chat);
      const f = floor(m['floor']);
      if (!isObject(you) || !isString(you['id']) || !isNumber(m['now']) || !participants || !annotations || !lines || !f) return null;
      return { type: 'state', examId: isString(m['examId']) ? m['examId'] : '', now: m['now'], you: { id: you['id'], colour: isString(you['colour']) ? you['colour'] : '#fff' }, participants, floor: f, playback: playback(m['playback']), view: view(m['view']), annotations, chat: lines };
    }
    case 'playback': {
      const p = playback(m['playback']);
      return p ? { type: 'playback', by: isString(m['by']) ? m['by'] : '', playback: p } : null;
    }
    case 'floor': {
      const f = floor(m['floor']);
      return f ? { type: 'floor', by: isString(m['by']) ? m['by'] : '', change: isString(m['change']) ? m['change'] : '', floor: f } : null;
    }
    case 'view':
      return { type: 'view', by: isString(m['by']) ? m['by'] : '', view: view(m['view']) };
    case 'annotation': {
      const a = annotation(m['annotation']);
      const op = m['op'];
      return a && (op === 'added' || op === 'edited' || op === 'deleted') ? { type: 'annotation', op, by: isString(m['by']) ? m['by'] : '', annotation: a } : null;
    }
    case 'chat': {
      const c = chat(m['chat']);
      return c ? { type: 'chat', chat: c } : null;
    }
    case 'pointer':
      return isString(m['from']) && isNumber(m['x']) && isNumber(m['y']) ? { type: 'pointer', from: m['from'], x: m['x'], y: m['y'] } : null;
    case 'joined': {
      const p = participant(m['participant']);
      return p ? { type: 'joined', participant: p } : null;
    }
    case 'left':
      return isString(m['id']) ? { type: 'left', id: m['id'] } : null;
    case 'clock':
      return isNumber(m['now']) ? { type: 'clock', now: m['now'] } : null;
    case 'refused':
      return { type: 'refused', for: isString(m['for']) ? m['for'] : '?', reason: isString(m['reason']) ? m['reason'] : '' };
    default:
      return null;
  }
}

/** The frame shown at station time <now> (ms): docs/discussion.md, the shared clock. */
export function sharedFrame(p: Playback, now: number): number {
  if (!p.playing || p.frames < 1) return p.startFrame;
  const advanced = Math.floor(((now - p.t0) * p.rate) / 1000);
  return 1 + ((((p.startFrame - 1 + advanced) % p.frames) + p.frames) % p.frames);
}
