import { byId, setText } from './dom';
import { decodeGreyPng } from './grey-png';
import { fetchFullResolutionFrame, type RecordedRun } from './recorded-runs';
import { ReviewCanvas } from './review-canvas';
import { ReviewSocket, type ReviewStatus } from './review-socket';

/** Playback driven by someone else: in a case discussion the controls ask the discussion, which moves every player. */
export interface PlaybackDriver {
  play(): void;
  pause(): void;
  step(by: number): void;
  seek(frame: number): void;
  rate(fps: number): void;
}

type ChosenRun = Pick<RecordedRun, 'runId' | 'frames'> & Partial<Pick<RecordedRun, 'width' | 'height' | 'frameRate'>>;

/**
 * The review player: one recorded run played through the review protocol (play at the acquired rate or 1–30 fps,
 * pause, step, loop, scrub), drawn on a ReviewCanvas with its image tools, the full-resolution frame fetched when
 * magnified past 1:1.
 */
export class ReviewPlayer {
  readonly view: ReviewCanvas;
  runId = '';
  frames = 0;
  state = 'idle';
  problem = '';
  /** Frame numbers drawn since the run was chosen (the tests count them). */
  shown: number[] = [];
  fullResolutionFetches = 0;
  /** From choosing a run to its first frame drawn, ms (performance.now()). */
  firstFrameMs = -1;
  private chosenAt = 0;
  private socket: ReviewSocket | null = null;
  private fetching = 0;
  private dragging: { x: number; y: number; pan: boolean } | null = null;
  private panMode = false;
  /** Called with each frame drawn from the stream. */
  onShown: (frame: number) => void = () => {};
  /** When set (in a case discussion), the controls go to it instead of playing here. */
  driver: PlaybackDriver | null = null;
  /** The run's stored frame size and acquired rate, where known (annotations are in stored pixels). */
  storedWidth = 0;
  storedHeight = 0;
  acquiredRate = 0;

  constructor(private readonly token: string, private readonly examId: string) {
    this.view = new ReviewCanvas(byId<HTMLCanvasElement>('review'));
    this.view.onNeedFullResolution = (n) => void this.fetchFullResolution(n);
    this.wireControls();
    this.wireTools();
  }

  get current(): number {
    return this.view.frameNumber;
  }

  choose(run: ChosenRun): void {
    this.open(run);
    this.play(1);
  }

  /** Shows what a case discussion plays: the run, and its frame paused or playing from it at <fps>, looping. */
  follow(run: ChosenRun, frame: number, playing: boolean, fps: number): void {
    if (run.runId !== this.runId) this.open(run);
    else if (run.frames > this.frames) this.frames = run.frames;
    if (playing) this.send(frame, 0, fps, true);
    else this.send(frame, 1, fps, false);
  }

  private open(run: ChosenRun): void {
    this.runId = run.runId;
    this.frames = run.frames;
    this.storedWidth = run.width ?? 0;
    this.storedHeight = run.height ?? 0;
    this.acquiredRate = run.frameRate ?? 0;
    this.shown = [];
    this.firstFrameMs = -1;
    this.problem = '';
    this.chosenAt = performance.now();
    this.scrub.max = String(Math.max(1, run.frames));
    this.view.frameNumber = 0;
  }

  play(from = this.current >= this.frames ? 1 : this.current + 1): void {
    this.send(from, 0);
  }

  pause(): void {
    this.socket?.pause();
  }

  step(by: number): void {
    const target = Math.min(Math.max(1, this.current + by), Math.max(1, this.frames));
    this.send(target, 1);
  }

  seek(frame: number): void {
    this.send(frame, 1);
  }

  stop(): void {
    this.socket?.close();
    this.socket = null;
  }

  private get scrub(): HTMLInputElement {
    return byId<HTMLInputElement>('review-scrub');
  }

  private send(startFrame: number, frameCount: number, fps = Number(byId<HTMLSelectElement>('review-rate').value), loop = byId<HTMLInputElement>('review-loop').checked): void {
    if (!this.runId) return;
    this.socket ??= this.connect();
    this.socket.request({ runId: this.runId, startFrame, fps, frameCount, loop });
  }

  private connect(): ReviewSocket {
    const socket = new ReviewSocket(this.token, this.examId);
    socket.onFrame = (header, bitmap) => {
      if (header.runId && header.runId !== this.runId) return;
      if (this.firstFrameMs < 0) this.firstFrameMs = performance.now() - this.chosenAt;
      this.shown.push(header.frameNumber);
      this.onShown(header.frameNumber);
      this.view.showStreamed(header.frameNumber, bitmap);
      this.scrub.value = String(header.frameNumber);
      this.showInfo();
    };
    socket.onStatus = (s) => this.take(s);
    socket.onClosed = (code, reason) => {
      if (this.socket === socket) this.socket = null;
      this.state = 'closed';
      if (code === 4404) this.fail(`Run ${this.runId} is not recorded in exam ${this.examId}`);
      else if (code !== 1000) this.fail(`Review ended by the station (${code}${reason ? `: ${reason}` : ''})`);
    };
    return socket;
  }

  private take(status: ReviewStatus): void {
    if (status.runId && status.runId !== this.runId) return;
    this.state = status.state;
    if (status.frames > 0) {
      this.frames = status.frames;
      this.scrub.max = String(status.frames);
    }
    if (status.state === 'error') this.fail(`Run ${status.runId || this.runId}: ${status.detail}`);
    else this.showInfo(status.recording ? ' (still recording)' : '');
    if (status.state !== 'playing') this.view.askForFullResolution();
  }

  private fail(message: string): void {
    this.problem = message;
    setText('review-info', message);
    byId('review-info').classList.add('refused');
  }

  private showInfo(extra = ''): void {
    byId('review-info').classList.remove('refused');
    setText('review-info', `${this.runId} frame ${this.current}/${this.frames} · ${this.state} · ${this.view.source}${extra}`);
  }

  private async fetchFullResolution(frame: number): Promise<void> {
    // While playing unzoomed, a stream stepped down to a smaller tier is not doubled by a fetch per frame; the frame is
    // fetched once playback stops on it.
    if (this.fetching === frame || (this.state === 'playing' && this.view.zoom === 1)) return;
    this.fetching = frame;
    const runId = this.runId;
    try {
      const { png } = await fetchFullResolutionFrame(this.token, this.examId, runId, frame);
      this.fullResolutionFetches++;
      const image = await decodeGreyPng(png);
      if (runId === this.runId && this.view.frameNumber === frame) {
        this.view.showFullResolution(frame, image);
        this.showInfo();
      }
    } catch (e) {
      this.fail(`Full-resolution frame ${frame}: ${(e as Error).message}`);
    } finally {
      this.fetching = 0;
    }
  }

  private wireControls(): void {
    const rate = byId<HTMLSelectElement>('review-rate');
    rate.replaceChildren(new Option('acquired', '0'), ...Array.from({ length: 30 }, (_, i) => new Option(`${i + 1} fps`, String(i + 1))));
    byId('review-play').onclick = () => (this.driver ? this.driver.play() : this.play());
    byId('review-pause').onclick = () => (this.driver ? this.driver.pause() : this.pause());
    byId('review-back').onclick = () => (this.driver ? this.driver.step(-1) : this.step(-1));
    byId('review-forward').onclick = () => (this.driver ? this.driver.step(1) : this.step(1));
    this.scrub.oninput = () => (this.driver ? this.driver.seek(Number(this.scrub.value)) : this.seek(Number(this.scrub.value)));
    rate.onchange = () => {
      if (this.driver) this.driver.rate(Number(rate.value) || this.acquiredRate || 15);
      else if (this.state === 'playing') this.play(this.current + 1);
    };
  }

  /** Drag: window/level (horizontal = width, vertical = level), or pan with Shift or the Pan mode; wheel: zoom. */
  private wireTools(): void {
    const canvas = this.view.canvas;
    canvas.onpointerdown = (e) => {
      canvas.setPointerCapture(e.pointerId);
      this.dragging = { x: e.offsetX, y: e.offsetY, pan: this.panMode || e.shiftKey };
    };
    canvas.onpointermove = (e) => {
      const drag = this.dragging;
      if (!drag) return;
      const dx = e.offsetX - drag.x;
      const dy = e.offsetY - drag.y;
      drag.x = e.offsetX;
      drag.y = e.offsetY;
      if (drag.pan) this.view.panBy(dx, dy);
      else this.view.windowBy(dx, dy);
    };
    canvas.onpointerup = canvas.onpointercancel = () => (this.dragging = null);
    canvas.onwheel = (e) => {
      e.preventDefault();
      this.view.zoomAt(e.deltaY < 0 ? 1.25 : 0.8, e.offsetX, e.offsetY);
    };
    byId<HTMLInputElement>('review-invert').onchange = (e) => {
      this.view.invert = (e.target as HTMLInputElement).checked;
      this.view.render();
    };
    const pan = byId('review-pan');
    pan.onclick = () => {
      this.panMode = !this.panMode;
      pan.classList.toggle('on', this.panMode);
    };
    byId('review-reset').onclick = () => {
      byId<HTMLInputElement>('review-invert').checked = false;
      this.view.reset();
    };
  }
}
