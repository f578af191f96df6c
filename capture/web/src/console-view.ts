import { CommandRefused, type ConsoleConnection } from './console-connection';
import { DeadManButton } from './dead-man-button';
import { InvitationPanel } from './invitation-panel';
import { byId, enumName, setText } from './dom';
import { LiveMonitor } from './live-monitor';
import type { OutboxItem, ProtocolInfo, RunInfo, ServerMessage, StatusReply, WorklistEntry } from './messages';
import { listRecordedRuns, type RecordedRun } from './recorded-runs';
import { ReferenceMonitor } from './reference-monitor';

/** The technician console: live and reference monitors, the status panel, exam controls, the run strip, publishing. */
export class ConsoleView {
  private readonly live: LiveMonitor;
  private readonly deadMan: DeadManButton;
  private shownRuns = '';
  private referenceRun = 0;
  private readonly lastFrames = new Map<number, HTMLCanvasElement>();
  /** The exam's recorded runs by number, as GET /live/runs lists them (thumbnails from the objects). */
  private recorded = new Map<number, RecordedRun>();
  private recordedKey = '';
  /** The strip's runs by number and state when the recorded runs were last asked for. */
  private askedFor = '';
  readonly reference: ReferenceMonitor;
  readonly invitations: InvitationPanel;
  status: StatusReply | null = null;
  runs: RunInfo[] = [];
  /** The last release or refusal of the exposure button, as shown; read by the browser tests. */
  lastPedalAnswer = '';

  constructor(private readonly connection: ConsoleConnection, private readonly token: string, renewIntervalMs: number) {
    this.reference = new ReferenceMonitor(byId<HTMLCanvasElement>('reference'), byId<HTMLInputElement>('reference-frame'), token);
    this.live = new LiveMonitor(byId<HTMLCanvasElement>('live'), token, 'diagnostic');
    this.live.onFrame = () => setText('live-info', `${this.live.frames} frames${this.live.lastImageHold ? ' · LIH' : ''}`);
    this.deadMan = new DeadManButton(byId<HTMLButtonElement>('deadman'), connection, renewIntervalMs);
    this.invitations = new InvitationPanel(connection);
    this.wireControls();
    void this.loadProtocols();
  }

  get deadManHeld(): boolean {
    return this.deadMan.held;
  }

  get liveFrames(): number {
    return this.live.frames;
  }

  stop(): void {
    this.deadMan.release();
    this.live.stop();
  }

  showStatus(status: StatusReply, runs: RunInfo[], outbox: OutboxItem[]): void {
    this.status = status;
    const exposing = status.exposureState.startsWith('Exposing') || status.exposureState === 'HighLevelFluoro';
    const state = byId('exposure-state');
    state.textContent = status.exposureState;
    state.className = exposing ? 'exposing' : '';
    const t = status.technique;
    setText('technique', t ? `${t.kv.toFixed(0)} kV  ${t.ma.toFixed(0)} mA  ${t.pulseWidthMs.toFixed(1)} ms  ${t.pulseRate} pps` : '-');
    setText('kerma-rate', `${status.airKermaRateMgyPerMin.toFixed(1)} mGy/min`);
    setText('kar', `${status.referenceAirKermaMgy.toFixed(2)} mGy`);
    setText('dap', `${status.doseAreaProductGyCm2.toFixed(3)} Gy·cm²`);
    const seconds = Math.floor(status.fluoroTimeSeconds);
    setText('fluoro-time', `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`);
    setText('heat', `${status.tubeHeatPercent.toFixed(0)} %`);
    setText('generator', status.generatorConnected ? 'connected' : 'NOT CONNECTED');
    byId('fluoro-alert').hidden = !status.fluoroAlert;
    const fault = status.exposureState === 'Fault' || !status.generatorConnected;
    byId('fault').hidden = !fault && !status.lastAlert;
    setText('fault-text', status.lastAlert ?? (fault ? 'generator fault' : ''));
    byId('calibration').hidden = !status.calibrationWarning;
    setText('calibration', status.calibrationWarning ?? '');
    const exam = status.exam;
    setText('exam', exam ? `${exam.open ? 'open' : 'closed'}: ${exam.examId} ${exam.patientName} (${exam.patientId})${exam.emergency ? ' EMERGENCY' : ''}, ${exam.recordedRuns} recorded` : 'no exam open');
    setText('publishing', `pending ${status.objectsPending} · committed ${status.objectsCommitted} · failed ${status.objectsFailed}`);
    this.showOutbox(outbox);
    this.invitations.examChanged(exam?.open ? exam.examId : undefined);
    this.showRuns(runs);
    if (exam?.open && this.live.watching !== exam.examId) this.live.watch(exam.examId);
    const protocol = byId<HTMLSelectElement>('protocol');
    if (status.selectedProtocol && protocol.value !== status.selectedProtocol && document.activeElement !== protocol) protocol.value = status.selectedProtocol;
  }

  /** What became of the exposure button's press: held, released (and why), or refused (and why). */
  showPedal(m: ServerMessage): void {
    const answer = byId('answer');
    if (m.type === 'held') answer.textContent = `exposing: run ${m.reply.run.number}`;
    else if (m.type === 'released') answer.textContent = `exposure released: ${m.reply.reason}`;
    else if (m.type === 'refused') answer.textContent = `refused: ${m.detail}${m.malformed ? ` (${m.malformed} unreadable messages)` : ''}`;
    else return;
    answer.className = m.type === 'refused' ? 'refused' : '';
    if (m.type !== 'held') this.lastPedalAnswer = answer.textContent;
  }

  private showRuns(runs: RunInfo[]): void {
    this.runs = runs;
    const key = JSON.stringify(runs);
    if (key === this.shownRuns) return;
    this.shownRuns = key;
    // A run's last frame is the live monitor's last-image hold when the run has ended: kept for its thumbnail and
    // the reference monitor.
    for (const r of runs) {
      if (r.state !== 'RUN_STATE_EXPOSING' && !this.lastFrames.has(r.number) && this.live.frames > 0) this.lastFrames.set(r.number, copyOf(byId<HTMLCanvasElement>('live')));
    }
    byId('runs').replaceChildren(...runs.map((r) => {
      const li = document.createElement('li');
      li.className = enumName(r.state, 'RUN_STATE_');
      li.dataset['run'] = String(r.number);
      const frame = this.lastFrames.get(r.number);
      const recorded = this.recorded.get(r.number);
      if (recorded?.thumbnailJpeg) {
        const thumbnail = document.createElement('img');
        thumbnail.width = thumbnail.height = 84;
        thumbnail.src = `data:image/jpeg;base64,${recorded.thumbnailJpeg}`;
        li.append(thumbnail);
      } else if (frame) {
        const thumbnail = document.createElement('canvas');
        thumbnail.width = thumbnail.height = 84;
        thumbnail.getContext('2d')!.drawImage(frame, 0, 0, 84, 84);
        li.append(thumbnail);
      }
      if (frame || recorded) li.onclick = () => this.showReference(r.number);
      li.append(`#${r.number} ${enumName(r.kind, 'RUN_KIND_')} · ${r.protocol} · ${r.frames} frames · ${enumName(r.state, 'RUN_STATE_')}`);
      return li;
    }));
    const last = [...runs].reverse().find((r) => r.objectPath !== undefined && r.state === 'RUN_STATE_COMPLETE');
    if (last && last.number !== this.referenceRun) this.showReference(last.number);
    // Asked again only when a run begins or ends: the strip changes with every status while a run is exposing (its
    // frame count), and each answer has the station read and encode a frame of every run for its thumbnail.
    const asking = runs.map((r) => `${r.number}:${r.state}`).join(' ');
    if (asking !== this.askedFor) {
      this.askedFor = asking;
      void this.refreshRecorded();
    }
  }

  /** Reads the exam's recorded runs again (after the run strip changed); shows what it learnt. */
  private async refreshRecorded(): Promise<void> {
    const exam = this.status?.exam;
    if (!exam?.open) return;
    let list: RecordedRun[];
    try {
      list = await listRecordedRuns(this.token, exam.examId, 84);
    } catch {
      this.askedFor = ''; // asked again with the next status; the strip keeps the live monitor's thumbnails meanwhile
      return;
    }
    // The runs themselves (EXAM/run-N), not their remasked copies or saved fluoro, by the strip's numbers.
    const runs = list.filter((r) => !r.problem && r.frames > 0 && r.runId.endsWith(`/run-${r.number}`));
    // A run the strip has complete whose object is still being closed is asked for again with the next status.
    const closed = new Map(runs.map((r) => [r.number, !r.recording]));
    if (this.runs.some((r) => r.state === 'RUN_STATE_COMPLETE' && r.objectPath !== undefined && closed.get(r.number) !== true)) this.askedFor = '';
    const key = JSON.stringify(runs.map((r) => [r.runId, r.frames, r.recording]));
    if (key === this.recordedKey) return;
    this.recordedKey = key;
    this.recorded = new Map(runs.map((r) => [r.number, r]));
    this.shownRuns = '';
    this.showRuns(this.runs);
    if (this.reference.shown.run === this.referenceRun && this.reference.shown.frame === 0) this.showReference(this.referenceRun);
  }

  /** The reference monitor shows a run: its last recorded frame (any other on the slider), or for a run that left no
   * object its last-image hold; the last recorded run's until another is chosen in the strip. */
  private showReference(run: number): void {
    const recorded = this.recorded.get(run);
    const held = this.lastFrames.get(run);
    const exam = this.status?.exam;
    if (recorded && exam && !recorded.recording) void this.reference.show(exam.examId, recorded);
    else if (held) this.reference.showHeld(run, held);
    else return;
    this.referenceRun = run;
  }

  private showOutbox(items: OutboxItem[]): void {
    byId('outbox').replaceChildren(...items.map((item) => {
      const li = document.createElement('li');
      li.textContent = `${item.description} → ${item.destination}: ${enumName(item.state, 'OUTBOX_ITEM_STATE_')}${item.lastError ? ` (${item.lastError})` : ''} `;
      if (item.state === 'OUTBOX_ITEM_STATE_FAILED') {
        const retry = document.createElement('button');
        retry.textContent = 'Retry';
        retry.onclick = () => this.run('RetryOutboxItem', { id: item.id });
        li.append(retry);
      }
      return li;
    }));
  }

  private async loadProtocols(): Promise<void> {
    const reply = await this.connection.call<{ protocols: ProtocolInfo[] }>('ListProtocols');
    byId('protocol').replaceChildren(...reply.protocols.map((p) => {
      const option = document.createElement('option');
      option.value = p.name;
      option.textContent = `${p.name} (${enumName(p.kind, 'RUN_KIND_')})`;
      return option;
    }));
    if (this.status?.selectedProtocol) byId<HTMLSelectElement>('protocol').value = this.status.selectedProtocol;
  }

  /** Runs a command and says what came of it; a refusal is shown as the station worded it. */
  private async run(command: string, request: object = {}): Promise<unknown> {
    const answer = byId('answer');
    try {
      const reply = await this.connection.call(command, request);
      answer.textContent = `${command}: done`;
      answer.className = '';
      return reply;
    } catch (e) {
      answer.textContent = e instanceof CommandRefused ? `${command} refused: ${e.detail}` : `${command}: ${String(e)}`;
      answer.className = 'refused';
      return undefined;
    }
  }

  private wireControls(): void {
    const value = (id: string) => byId<HTMLInputElement>(id).value.trim();
    byId('emergency').onclick = () => this.run('StartExam', {});
    byId('open-exam').onclick = () => this.run('StartExam', { patientName: value('patient-name'), patientId: value('patient-id') });
    byId('end-exam').onclick = () => this.run('EndExam', {});
    byId('discontinue').onclick = () => this.run('EndExam', { discontinued: true, reason: value('discontinue-reason') });
    byId('reset-fault').onclick = () => this.run('ResetFault');
    byId('ack-fluoro').onclick = () => this.run('ResetFluoroTimer');
    byId('save-fluoro').onclick = () => this.run('SaveLastFluoro', { seconds: Number(value('fluoro-seconds')) });
    byId('remask').onclick = () =>
      this.run('Remask', { runNumber: Number(value('remask-run')), maskFrames: value('remask-frames').split(',').filter((f) => f.trim()).map(Number) });
    byId<HTMLSelectElement>('protocol').onchange = (e) => this.run('SelectProtocol', { name: (e.target as HTMLSelectElement).value });
    byId('query-worklist').onclick = async () => {
      const reply = (await this.run('QueryWorklist')) as { entries: WorklistEntry[] } | undefined;
      byId('worklist').replaceChildren(...(reply?.entries ?? []).map((entry) => {
        const li = document.createElement('li');
        const open = document.createElement('button');
        open.textContent = 'Open';
        open.onclick = () => this.run('StartExam', { worklistItemId: entry.id });
        li.append(`${entry.patientName} (${entry.patientId}) ${entry.requestedProcedure} `, open);
        return li;
      }));
    };
  }
}

function copyOf(source: HTMLCanvasElement): HTMLCanvasElement {
  const copy = document.createElement('canvas');
  copy.width = source.width;
  copy.height = source.height;
  copy.getContext('2d')!.drawImage(source, 0, 0);
  return copy;
}
