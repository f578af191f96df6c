import type { Annotation, Participant, Point } from './discussion-messages';
import type { ReviewCanvas } from './review-canvas';

/** A participant's pointer as last seen, in stored pixels. */
export interface SeenPointer {
  x: number;
  y: number;
  at: number;
}

/** How long a pointer that stopped moving stays drawn. */
const PointerShownMs = 5000;

/**
 * The discussion's marks over the review canvas: the annotations of the frame shown, and the other participants'
 * pointers with their names, each in its participant's colour. Points are stored pixels of the run's frames; the
 * overlay maps them through the review canvas's zoom and pan.
 */
export class DiscussionOverlay {
  private readonly context: CanvasRenderingContext2D;

  constructor(readonly canvas: HTMLCanvasElement, private readonly view: ReviewCanvas) {
    this.context = canvas.getContext('2d')!;
  }

  /** Stored pixel → overlay canvas point. */
  toCanvas(p: Point, stored: { width: number; height: number }): { x: number; y: number } {
    return this.view.frameToCanvas(p[0] / stored.width, p[1] / stored.height);
  }

  /** Overlay canvas point → stored pixel (rounded, clamped to the frame). */
  toStored(x: number, y: number, stored: { width: number; height: number }): Point {
    const { fx, fy } = this.view.canvasToFrame(x, y);
    const clamp = (v: number, high: number) => Math.min(high - 1, Math.max(0, Math.round(v)));
    return [clamp(fx * stored.width, stored.width), clamp(fy * stored.height, stored.height)];
  }

  draw(annotations: Annotation[], pointers: Map<string, SeenPointer>, people: Map<string, Participant>, stored: { width: number; height: number }, draft: Annotation | null): void {
    const c = this.context;
    c.clearRect(0, 0, this.canvas.width, this.canvas.height);
    if (stored.width <= 0) return;
    for (const a of draft ? [...annotations, draft] : annotations) this.annotation(a, people.get(a.author)?.colour ?? '#fff', stored);
    const now = performance.now();
    for (const [id, p] of pointers) {
      if (now - p.at > PointerShownMs) continue;
      const who = people.get(id);
      const at = this.toCanvas([p.x, p.y], stored);
      c.fillStyle = who?.colour ?? '#fff';
      c.beginPath();
      c.moveTo(at.x, at.y);
      c.lineTo(at.x + 4, at.y + 13);
      c.lineTo(at.x + 12, at.y + 9);
      c.closePath();
      c.fill();
      c.font = '12px sans-serif';
      c.fillText(who?.name ?? id, at.x + 12, at.y + 22);
    }
  }

  private annotation(a: Annotation, colour: string, stored: { width: number; height: number }): void {
    const c = this.context;
    const pts = a.points.map((p) => this.toCanvas(p, stored));
    c.strokeStyle = c.fillStyle = colour;
    c.lineWidth = 2;
    c.font = '13px sans-serif';
    const first = pts[0];
    if (!first) return;
    if (a.kind === 'marker') {
      c.beginPath();
      c.arc(first.x, first.y, 7, 0, 2 * Math.PI);
      c.moveTo(first.x - 11, first.y);
      c.lineTo(first.x + 11, first.y);
      c.moveTo(first.x, first.y - 11);
      c.lineTo(first.x, first.y + 11);
      c.stroke();
    } else if (a.kind !== 'text') {
      c.beginPath();
      c.moveTo(first.x, first.y);
      for (const p of pts.slice(1)) c.lineTo(p.x, p.y);
      c.stroke();
      const last = pts[pts.length - 1]!;
      if (a.kind === 'arrow' && pts.length === 2) this.arrowHead(first, last);
      if (a.kind === 'distance' && pts.length === 2) {
        for (const end of [first, last]) c.fillRect(end.x - 3, end.y - 3, 6, 6);
      }
    }
    const label = a.text ?? (a.kind === 'distance' && a.points.length === 2 ? `${length(a.points).toFixed(0)} px` : '');
    if (label) c.fillText(label, first.x + 8, first.y - 8);
  }

  private arrowHead(from: { x: number; y: number }, to: { x: number; y: number }): void {
    const c = this.context;
    const angle = Math.atan2(to.y - from.y, to.x - from.x);
    c.beginPath();
    c.moveTo(to.x, to.y);
    c.lineTo(to.x - 12 * Math.cos(angle - 0.4), to.y - 12 * Math.sin(angle - 0.4));
    c.lineTo(to.x - 12 * Math.cos(angle + 0.4), to.y - 12 * Math.sin(angle + 0.4));
    c.closePath();
    c.fill();
  }
}

/** Length of a two-point mark in stored pixels. */
export function length(points: Point[]): number {
  const [a, b] = points;
  return a && b ? Math.hypot(b[0] - a[0], b[1] - a[1]) : 0;
}
