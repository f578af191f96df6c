import { listRecordedRuns, type RecordedRun } from './recorded-runs';

/** The exam's recorded runs as a list with thumbnails, refreshed while the exam goes on; a click chooses one. */
export class RunList {
  runs: RecordedRun[] = [];
  refreshes = 0;
  problem = '';
  private timer = 0;
  onChoose: (run: RecordedRun) => void = () => {};
  onRefresh: () => void = () => {};

  constructor(private readonly list: HTMLOListElement, private readonly token: string, private readonly examId: string, private readonly everyMs = 2000) {}

  start(): void {
    void this.refresh();
    this.timer = window.setInterval(() => void this.refresh(), this.everyMs);
  }

  stop(): void {
    window.clearInterval(this.timer);
  }

  async refresh(): Promise<void> {
    try {
      this.runs = await listRecordedRuns(this.token, this.examId, 96);
      this.problem = '';
    } catch (e) {
      this.problem = (e as Error).message;
    }
    this.refreshes++;
    this.render();
    this.onRefresh();
  }

  private render(): void {
    this.list.replaceChildren(...this.runs.map((run) => this.item(run)));
  }

  private item(run: RecordedRun): HTMLLIElement {
    const li = document.createElement('li');
    li.dataset['runId'] = run.runId;
    if (run.thumbnailJpeg) {
      const img = document.createElement('img');
      img.src = `data:image/jpeg;base64,${run.thumbnailJpeg}`;
      img.alt = `run ${run.number}`;
      img.width = 96;
      li.append(img);
    }
    const text = document.createElement('div');
    text.textContent = describe(run);
    li.append(text);
    li.onclick = () => this.onChoose(run);
    return li;
  }
}

/** "run 2 · cine · cardiac-cine-15 · 30 frames @ 15 fps · 10:42:07 · Ka,r 1.2 mGy, DAP 0.45 Gy·cm²". */
export function describe(run: RecordedRun): string {
  const parts = [`run ${run.number}`, run.dsa ? `${run.kind} (DSA)` : run.kind, run.protocol, `${run.frames} frames @ ${run.frameRate.toFixed(run.frameRate % 1 ? 1 : 0)} fps`];
  const started = Number(run.startedUnixUs);
  if (started > 0) parts.push(new Date(started / 1000).toLocaleTimeString());
  if (run.referenceAirKermaMgy > 0 || run.doseAreaProductGycm2 > 0)
    parts.push(`Ka,r ${run.referenceAirKermaMgy.toFixed(2)} mGy, DAP ${run.doseAreaProductGycm2.toFixed(3)} Gy·cm²`);
  if (run.recording) parts.push('recording');
  if (run.problem) parts.push(`unreadable: ${run.problem}`);
  return parts.join(' · ');
}
