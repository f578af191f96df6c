import { byId, setText } from './dom';
import { LiveMonitor } from './live-monitor';
import { ReviewPlayer } from './review-player';
import { RunList } from './run-list';

/**
 * The observer's viewer: one exam's live frames, its recorded runs, and the review player for the run chosen.
 * `#exam=ID&run=RUN` in the page's fragment (never sent to the server) opens an exam and a run directly.
 */
export class ViewerView {
  readonly monitor: LiveMonitor;
  runList: RunList | null = null;
  player: ReviewPlayer | null = null;

  constructor(private readonly token: string) {
    this.monitor = new LiveMonitor(byId<HTMLCanvasElement>('viewer-live'), token, 'diagnostic', true);
    this.monitor.onFrame = () => setText('viewer-info', `${this.monitor.frames} live frames (${this.monitor.codec})${this.monitor.lastImageHold ? ' · LIH' : ''}`);
    byId('viewer-watch').onclick = () => this.watch(byId<HTMLInputElement>('viewer-exam').value.trim());
    const fragment = new URLSearchParams(location.hash.slice(1));
    const exam = fragment.get('exam');
    if (exam) {
      byId<HTMLInputElement>('viewer-exam').value = exam;
      this.watch(exam);
      const run = fragment.get('run');
      if (run) this.player!.choose({ runId: run, frames: 0 });
    }
  }

  watch(examId: string): void {
    if (!examId) return;
    this.stop();
    this.monitor.watch(examId);
    this.player = new ReviewPlayer(this.token, examId);
    const runList = new RunList(byId<HTMLOListElement>('review-runs'), this.token, examId);
    runList.onChoose = (run) => this.player?.choose(run);
    runList.onRefresh = () => setText('review-runs-info', runList.problem ? `Runs: ${runList.problem}` : `(${runList.runs.length})`);
    runList.start();
    this.runList = runList;
  }

  stop(): void {
    this.monitor.stop();
    this.runList?.stop();
    this.player?.stop();
    this.runList = null;
    this.player = null;
  }
}
