import { DiscussionConnection } from './discussion-connection';
import { sharedFrame, type Annotation, type ChatLine, type DiscussionMessage, type Floor, type Participant, type Playback, type Point } from './discussion-messages';
import { DiscussionOverlay, type SeenPointer } from './discussion-overlay';
import { byId, setText } from './dom';
import type { RecordedRun } from './recorded-runs';
import type { ReviewPlayer } from './review-player';

/** Pointer positions go out at most this often; the station coalesces whatever comes faster. */
const PointerEveryMs = 50;
/** How often a playing discussion checks that the frame shown is the shared clock's. */
const InStepCheckMs = 250;
const MaxLinePoints = 32;

/**
 * The observer's side of a case discussion about the exam (docs/discussion.md): who takes part and who drives, the
 * shared playback (the review player follows the discussion's frame and clock; its controls ask the discussion when
 * joined), the other participants' pointers and everyone's annotations over the review canvas, and the chat.
 */
export class DiscussionPanel {
  connection: DiscussionConnection | null = null;
  you = '';
  participants = new Map<string, Participant>();
  floor: Floor = { driver: null, requests: [] };
  playback: Playback | null = null;
  annotations: Annotation[] = [];
  chat: ChatLine[] = [];
  pointers = new Map<string, SeenPointer>();
  /** The last refusal the station sent this participant (read by the tests). */
  refused = '';
  resyncs = 0;
  /** [station time, frame] of each frame drawn while in the discussion, the last 600 (the tests compare participants). */
  readonly shownLog: [number, number][] = [];
  private readonly overlay: DiscussionOverlay;
  private stepTimer = 0;
  private lastPointerSent = 0;
  private pendingPointer: Point | null = null;
  private pointerTimer = 0;
  private draft: Annotation | null = null;

  constructor(private readonly token: string, private readonly examId: string, private readonly player: ReviewPlayer, private readonly runs: () => RecordedRun[]) {
    this.overlay = new DiscussionOverlay(byId<HTMLCanvasElement>('review-overlay'), player.view);
    player.view.onRender = () => this.redraw();
    player.onShown = (frame) => {
      if (!this.connection) return;
      this.shownLog.push([this.connection.now(), frame]);
      if (this.shownLog.length > 600) this.shownLog.splice(0, 100);
    };
    byId('discussion-join').onclick = () => this.join(byId<HTMLInputElement>('discussion-name').value.trim());
    byId('discussion-leave').onclick = () => this.leave();
    byId('discussion-request').onclick = () => this.send({ type: 'floor.request' });
    byId('discussion-release').onclick = () => this.send({ type: 'floor.release' });
    byId('discussion-take').onclick = () => this.send({ type: 'floor.take' });
    byId('discussion-send').onclick = () => this.say();
    byId<HTMLInputElement>('discussion-say').onkeydown = (e) => {
      if (e.key === 'Enter') this.say();
    };
    byId<HTMLSelectElement>('discussion-tool').onchange = () => this.toolChanged();
    this.wirePointer();
    this.wireTools();
    this.render();
  }

  get joined(): boolean {
    return this.connection?.link === 'joined';
  }

  get driving(): boolean {
    return this.floor.driver === this.you && this.you !== '';
  }

  /** The frame the shared clock says everyone shows now (0 with no run chosen). */
  get sharedFrame(): number {
    return this.playback && this.connection ? sharedFrame(this.playback, this.connection.now()) : 0;
  }

  join(name: string): void {
    this.leave();
    const connection = new DiscussionConnection(this.token, this.examId, name);
    connection.onMessage = (m) => this.take(m);
    connection.onLink = () => this.render();
    this.connection = connection;
    connection.open();
    this.player.driver = {
      play: () => this.send({ type: 'play', rate: this.rate() }),
      pause: () => this.send({ type: 'pause' }),
      step: (by) => this.send({ type: 'step', by }),
      seek: (frame) => this.send({ type: 'seek', frame }),
      rate: (fps) => this.send({ type: 'rate', fps }),
    };
  }

  leave(): void {
    window.clearInterval(this.stepTimer);
    this.connection?.close();
    this.connection = null;
    this.player.driver = null;
    this.participants.clear();
    this.pointers.clear();
    this.you = '';
    this.render();
  }

  /** A run chosen in the list: in a discussion the driver selects it for everyone. */
  choose(run: RecordedRun): boolean {
    if (!this.joined) return false;
    this.send({ type: 'select', runId: run.runId, frame: 1 });
    return true;
  }

  private rate(): number {
    return Number(byId<HTMLSelectElement>('review-rate').value) || this.playback?.rate || this.player.acquiredRate || 15;
  }

  private send(operation: Record<string, unknown>): void {
    if (!this.connection?.send(operation)) this.info('not in the discussion');
  }

  private take(m: DiscussionMessage): void {
    // What this participant did was accepted: an older refusal no longer stands.
    if ('by' in m && m.by === this.you) this.info('');
    switch (m.type) {
      case 'state':
        this.you = m.you.id;
        this.participants = new Map(m.participants.map((p) => [p.id, p]));
        this.floor = m.floor;
        this.annotations = m.annotations;
        this.chat = m.chat;
        this.pointers.clear();
        this.refused = '';
        this.follow(m.playback);
        break;
      case 'playback':
        this.follow(m.playback);
        break;
      case 'floor':
        this.floor = m.floor;
        break;
      case 'annotation':
        this.annotations = this.annotations.filter((a) => a.id !== m.annotation.id);
        if (m.op !== 'deleted') this.annotations.push(m.annotation);
        break;
      case 'chat':
        this.chat.push(m.chat);
        break;
      case 'pointer':
        this.pointers.set(m.from, { x: m.x, y: m.y, at: performance.now() });
        this.redraw();
        return;
      case 'joined':
        this.participants.set(m.participant.id, { ...m.participant, online: true });
        break;
      case 'left': {
        const p = this.participants.get(m.id);
        if (p) p.online = false;
        this.pointers.delete(m.id);
        break;
      }
      case 'refused':
        this.refused = `${m.for}: ${m.reason}`;
        this.info(`Refused ${this.refused}`);
        return;
      default:
        return;
    }
    this.render();
  }

  /** Shows the discussion's playback: the run, the frame of the shared clock, playing or not. */
  private follow(playback: Playback | null): void {
    this.playback = playback;
    window.clearInterval(this.stepTimer);
    if (!playback) return;
    const known = this.runs().find((r) => r.runId === playback.runId);
    const run = known ? { ...known, frames: Math.max(known.frames, playback.frames) } : { runId: playback.runId, frames: playback.frames };
    this.player.follow(run, this.sharedFrame, playback.playing, playback.rate);
    if (playback.playing) this.stepTimer = window.setInterval(() => this.keepInStep(), InStepCheckMs);
  }

  /** While playing, a player more than a frame off the shared clock (a slow link, a late frame) is moved to it. */
  private keepInStep(): void {
    const p = this.playback;
    if (!p || !p.playing || this.player.current === 0) return;
    const expected = this.sharedFrame;
    const off = Math.abs(this.player.current - expected);
    if (Math.min(off, p.frames - off) <= 1) return;
    this.resyncs++;
    this.player.follow({ runId: p.runId, frames: p.frames }, expected, true, p.rate);
  }

  private say(): void {
    const input = byId<HTMLInputElement>('discussion-say');
    const text = input.value.trim();
    if (!text) return;
    this.send({ type: 'chat', text });
    input.value = '';
  }

  private stored(): { width: number; height: number } {
    const width = this.player.storedWidth || this.player.view.sourceWidth;
    return { width, height: this.player.storedHeight || width };
  }

  private wirePointer(): void {
    const area = byId('review-area');
    area.addEventListener('pointermove', (e) => {
      if (!this.joined || !this.player.runId) return;
      const box = this.overlay.canvas.getBoundingClientRect();
      this.pendingPointer = this.overlay.toStored(e.clientX - box.left, e.clientY - box.top, this.stored());
      const wait = this.lastPointerSent + PointerEveryMs - performance.now();
      if (wait <= 0) this.flushPointer();
      else if (!this.pointerTimer) this.pointerTimer = window.setTimeout(() => this.flushPointer(), wait);
    });
  }

  private flushPointer(): void {
    this.pointerTimer = 0;
    const p = this.pendingPointer;
    if (!p) return;
    this.pendingPointer = null;
    this.lastPointerSent = performance.now();
    this.connection?.send({ type: 'pointer', x: p[0], y: p[1] });
  }

  private toolChanged(): void {
    const tool = byId<HTMLSelectElement>('discussion-tool').value;
    // With a tool chosen the overlay takes the pointer (window/level dragging pauses); without, the canvas has it.
    this.overlay.canvas.style.pointerEvents = tool === 'none' ? 'none' : 'auto';
  }

  private wireTools(): void {
    const canvas = this.overlay.canvas;
    const at = (e: PointerEvent): Point => this.overlay.toStored(e.offsetX, e.offsetY, this.stored());
    canvas.onpointerdown = (e) => {
      const kind = byId<HTMLSelectElement>('discussion-tool').value;
      if (kind === 'none' || !this.player.runId || this.player.current === 0) return;
      canvas.setPointerCapture(e.pointerId);
      const note = byId<HTMLInputElement>('discussion-note').value.trim();
      this.draft = { id: 'draft', author: this.you, kind, runId: this.player.runId, frame: this.player.current, points: [at(e)] };
      if (note) this.draft.text = note;
      if (kind === 'marker' || kind === 'text') this.finishDraft();
    };
    canvas.onpointermove = (e) => {
      const d = this.draft;
      if (!d) return;
      const p = at(e);
      if (d.kind === 'line') {
        const last = d.points[d.points.length - 1]!;
        if (Math.hypot(p[0] - last[0], p[1] - last[1]) >= 4 && d.points.length < MaxLinePoints) d.points.push(p);
      } else d.points = [d.points[0]!, p];
      this.redraw();
    };
    canvas.onpointerup = () => this.finishDraft();
    canvas.onpointercancel = () => {
      this.draft = null;
      this.redraw();
    };
  }

  private finishDraft(): void {
    const d = this.draft;
    this.draft = null;
    if (!d) return;
    if (d.kind !== 'marker' && d.kind !== 'text' && d.points.length < 2) {
      this.redraw();
      return;
    }
    const operation: Record<string, unknown> = { type: 'annotate', kind: d.kind, runId: d.runId, frame: d.frame, points: d.points };
    if (d.text) operation['text'] = d.text;
    this.send(operation);
    this.redraw();
  }

  private info(text: string): void {
    setText('discussion-info', text);
  }

  private redraw(): void {
    const onFrame = this.annotations.filter((a) => a.runId === this.player.runId && a.frame === this.player.current);
    this.overlay.draw(this.joined ? onFrame : [], this.pointers, this.participants, this.stored(), this.draft);
  }

  private render(): void {
    const link = this.connection?.link ?? 'idle';
    byId('discussion-join').hidden = link !== 'idle' && link !== 'refused' && link !== 'closed';
    byId('discussion-leave').hidden = !byId('discussion-join').hidden;
    const name = (id: string | null) => (id ? this.participants.get(id)?.name ?? id : 'nobody');
    const stateText: Record<string, string> = {
      idle: 'Not in the discussion',
      connecting: 'Joining…',
      joined: `In the discussion as ${name(this.you)} · ${name(this.floor.driver)} drives${this.floor.requests.length ? ` · asking: ${this.floor.requests.map(name).join(', ')}` : ''}`,
      reconnecting: 'Discussion: connection lost, joining again…',
      refused: `Discussion refused: ${this.connection?.reason ?? ''}`,
      closed: `Discussion closed: ${this.connection?.reason ?? ''}`,
    };
    setText('discussion-state', stateText[link] ?? link);
    const technician = this.participants.get(this.you)?.role === 'technician';
    byId('discussion-request').hidden = !this.joined || this.driving || technician;
    byId('discussion-take').hidden = !this.joined || this.driving || !technician;
    byId('discussion-release').hidden = !this.joined || !this.driving;
    const people = byId('discussion-participants');
    people.replaceChildren(
      ...[...this.participants.values()].map((p) => {
        const li = document.createElement('li');
        li.dataset['id'] = p.id;
        const swatch = document.createElement('span');
        swatch.className = 'swatch';
        swatch.style.background = p.colour;
        li.append(swatch, `${p.name} (${p.role})${p.id === this.floor.driver ? ' · drives' : ''}${p.online ? '' : ' · away'}`);
        if (this.driving && this.floor.requests.includes(p.id)) {
          const grant = document.createElement('button');
          grant.textContent = 'Give the floor';
          grant.onclick = () => this.send({ type: 'floor.grant', to: p.id });
          li.append(' ', grant);
        }
        return li;
      }),
    );
    const notes = byId('discussion-annotations');
    notes.replaceChildren(
      ...this.annotations.map((a) => {
        const li = document.createElement('li');
        li.dataset['id'] = a.id;
        li.style.color = this.participants.get(a.author)?.colour ?? '';
        li.append(`${a.kind} by ${name(a.author)}, frame ${a.frame}${a.text ? `: ${a.text}` : ''}`);
        if (a.author === this.you) {
          const remove = document.createElement('button');
          remove.textContent = 'Delete';
          remove.onclick = () => this.send({ type: 'annotation.delete', id: a.id });
          li.append(' ', remove);
        }
        return li;
      }),
    );
    const lines = byId('discussion-chat');
    lines.replaceChildren(
      ...this.chat.map((c) => {
        const li = document.createElement('li');
        li.textContent = `${new Date(c.at).toLocaleTimeString()} ${c.name}: ${c.text}`;
        li.style.color = this.participants.get(c.from)?.colour ?? '';
        return li;
      }),
    );
    lines.scrollTop = lines.scrollHeight;
    this.redraw();
  }
}
