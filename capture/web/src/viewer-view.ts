import { DiscussionPanel } from './discussion-view';
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
  discussion: DiscussionPanel | null = null;

  /** <paramref name="banner"/> shows (or, given '', clears) the page's banner. */
  constructor(private readonly token: string, private readonly banner: (text: string) => void = () => {}) {
    this.monitor = new LiveMonitor(byId<HTMLCanvasElement>('viewer-live'), token, 'diagnostic', true);
    this.monitor.onFrame = () => this.showLiveInfo();
    this.monitor.onState = () => this.showLiveState();
    byId('viewer-watch').onclick = () => this.watch(byId<HTMLInputElement>('viewer-exam').value.trim());
    const fragment = new URLSearchParams(location.hash.slice(1));
    const exam = fragment.get('exam');
    if (exam) {
      byId<HTMLInputElement>('viewer-exam').value = exam;
      this.watch(exam);
      const run = fragment.get('run');
      if (run) this.player!.choose({ runId: run, frames: 0 });
      // `#exam=ID&discuss=NAME` joins the exam's discussion under that name (a reopened tab comes back in step).
      const name = fragment.get('discuss');
      if (name !== null) {
        byId<HTMLInputElement>('discussion-name').value = name;
        this.discussion!.join(name);
      }
    }
  }

  private showLiveInfo(): void {
    const m = this.monitor;
    const state = m.state === 'live' || m.state === 'idle' ? '' : ` · ${describeState(m.state, m.closeReason)}`;
    setText('viewer-info', `${m.frames} live frames (${m.codec})${m.lastImageHold ? ' · LIH' : ''}${state}`);
  }

  private showLiveState(): void {
    // A lost station is said on the page's banner while the viewer keeps what it shows; it clears when the feed is back.
    this.banner(this.monitor.state === 'reconnecting' ? 'Connection to the station lost: reconnecting…' : '');
    this.showLiveInfo();
  }

  watch(examId: string): void {
    if (!examId) return;
    this.stop();
    this.monitor.watch(examId);
    this.player = new ReviewPlayer(this.token, examId);
    const runList = new RunList(byId<HTMLOListElement>('review-runs'), this.token, examId);
    this.discussion = new DiscussionPanel(this.token, examId, this.player, () => runList.runs);
    runList.onChoose = (run) => {
      if (!this.discussion?.choose(run)) this.player?.choose(run);
    };
    runList.onRefresh = () => setText('review-runs-info', runList.problem ? `Runs: ${runList.problem}` : `(${runList.runs.length})`);
    runList.start();
    this.runList = runList;
  }

  stop(): void {
    this.discussion?.leave();
    this.discussion = null;
    this.monitor.stop();
    this.runList?.stop();
    this.player?.stop();
    this.runList = null;
    this.player = null;
  }
}

function describeState(state: string, reason: string): string {
  switch (state) {
    case 'connecting':
      return 'connecting…';
    case 'reconnecting':
      return 'reconnecting…';
    case 'ended':
      return reason || 'ended';
    case 'refused':
      return `refused: ${reason}`;
    default:
      return state;
  }
}
