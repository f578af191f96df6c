import { setText } from './dom';
import { decodeGreyPng } from './grey-png';
import { fetchFullResolutionFrame, type RecordedRun } from './recorded-runs';
import { ReviewCanvas } from './review-canvas';

/**
 * The console's reference monitor: any frame of any recorded run, read lossless from the recorded object
 * (GET /live/runs/frame) and chosen on the slider under it, windowed over the frame's own range (a DSA run's frames
 * come subtracted). A run with no object (fluoro) shows the live monitor's last-image hold of it instead.
 */
export class ReferenceMonitor {
  private readonly view: ReviewCanvas;
  private run: RecordedRun | null = null;
  private examId = '';
  private ticket = 0;
  /** The run number and frame shown (frame 0: a last-image hold); read by the browser tests. */
  shown = { run: 0, frame: 0 };

  constructor(private readonly canvas: HTMLCanvasElement, private readonly slider: HTMLInputElement, private readonly token: string) {
    this.view = new ReviewCanvas(canvas);
    slider.oninput = () => void this.showFrame(Number(slider.value));
    slider.disabled = true;
  }

  /** Shows frame <frame> (default: the last) of a recorded run. */
  show(examId: string, run: RecordedRun, frame = run.frames): Promise<void> {
    this.examId = examId;
    this.run = run;
    this.slider.disabled = false;
    this.slider.max = String(run.frames);
    this.slider.value = String(frame);
    return this.showFrame(frame);
  }

  /** Shows a run's last-image hold as the live monitor kept it (a run that left no object). */
  showHeld(runNumber: number, held: HTMLCanvasElement): void {
    this.ticket++;
    this.run = null;
    this.slider.disabled = true;
    const context = this.canvas.getContext('2d')!;
    context.setTransform(1, 0, 0, 1, 0, 0); // the review canvas leaves its zoom's transform set
    context.drawImage(held, 0, 0, this.canvas.width, this.canvas.height);
    this.shown = { run: runNumber, frame: 0 };
    setText('reference-info', `run ${runNumber}, last frame`);
  }

  private async showFrame(frame: number): Promise<void> {
    const run = this.run;
    if (!run || frame < 1) return;
    const ticket = ++this.ticket;
    try {
      const { png } = await fetchFullResolutionFrame(this.token, this.examId, run.runId, frame);
      const image = await decodeGreyPng(png);
      // A later choice overtook this one while it was fetched: it is not shown.
      if (ticket !== this.ticket) return;
      this.view.showFullResolution(frame, image);
      this.shown = { run: run.number, frame };
      setText('reference-info', `run ${run.number}${run.dsa ? ' (subtracted)' : ''}, frame ${frame}/${run.frames}`);
    } catch (e) {
      if (ticket === this.ticket) setText('reference-info', `run ${run.number}, frame ${frame}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}
