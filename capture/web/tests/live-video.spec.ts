import { expect, test, type Page } from '@playwright/test';
import { mkdirSync, writeFileSync } from 'node:fs';
import { expectConsole, hold, pageStatus, screenshot, signIn, station, until } from './station';

// An observer watches the live exam as VP8 decoded by WebCodecs, through the rig's throttling relay (CATHLAB_OBSERVER_URL:
// 256 kbit/s and 50 ms each way): pictures decoded and counted, a late joiner's first picture (its time kept in
// live-video.json, not bounded here), and frames damaged on their way in (the socket passes through the test) rejected
// without a page error, the picture coming back after them.

const observerUrl = process.env['CATHLAB_OBSERVER_URL'] ?? station.url;

interface VideoState {
  codec: string;
  frames: number;
  decoded: number;
  rejected: number;
  skipped: number;
  keyFramesAsked: number;
  lastProblem: string;
}

function video(page: Page): Promise<VideoState | null> {
  return page.evaluate(() => {
    const m = (window as never as { cathlab: { viewer: { monitor: { codec: string; frames: number; video: Omit<VideoState, 'codec' | 'frames'> | null } } | null } }).cathlab.viewer?.monitor;
    if (!m) return null;
    const v = m.video;
    return { codec: m.codec, frames: m.frames, decoded: v?.decoded ?? 0, rejected: v?.rejected ?? 0, skipped: v?.skipped ?? 0, keyFramesAsked: v?.keyFramesAsked ?? 0, lastProblem: v?.lastProblem ?? '' };
  });
}

async function signInObserver(page: Page): Promise<void> {
  await signIn(page, station.observerToken, observerUrl);
  await expect(page.locator('#viewer')).toBeVisible();
}

async function watch(page: Page, examId: string): Promise<void> {
  await page.fill('#viewer-exam', examId);
  await page.click('#viewer-watch');
}

/** Damages live frames on their way to the page, as a hostile relay would: the header is kept, the VP8 bytes not. */
class Damage {
  pending: Array<'truncate' | 'scramble'> = [];
  done: string[] = [];

  apply(message: Buffer): Buffer {
    const kind = this.pending.shift();
    if (!kind) return message;
    const headerEnd = 4 + message.readUInt32LE(0);
    const header = JSON.parse(message.subarray(4, headerEnd).toString('utf8')) as { frameNumber: number; keyFrame?: boolean };
    this.done.push(`${kind} frame ${header.frameNumber}${header.keyFrame ? ' (key)' : ''}`);
    if (kind === 'truncate') return message.subarray(0, headerEnd + 6);
    const copy = Buffer.from(message);
    for (let i = headerEnd + 3; i < copy.length; i++) copy[i] = (copy[i]! * 31 + i) & 0xff;
    return copy;
  }
}

test('an observer watches live VP8 through a slow link', async ({ browser }) => {
  const technician = await browser.newPage();
  await signIn(technician, station.technicianToken);
  await expectConsole(technician);
  await technician.click('#emergency');
  await expect(technician.locator('#answer')).toHaveText('StartExam: done');
  const examId = (await until(() => pageStatus(technician), (s) => s?.exam?.open === true, 'the exam open in the status'))!.exam!.examId;

  const observer = await browser.newPage();
  const errors: string[] = [];
  observer.on('pageerror', (e) => errors.push(String(e)));
  const damage = new Damage();
  await observer.routeWebSocket(/\/live\/ws$/, (ws) => {
    const server = ws.connectToServer();
    server.onMessage((m) => ws.send(typeof m === 'string' ? m : damage.apply(m)));
  });
  await signInObserver(observer);
  await watch(observer, examId);
  const supported = await observer.evaluate(async () => typeof VideoDecoder !== 'undefined' && (await VideoDecoder.isConfigSupported({ codec: 'vp8' })).supported === true);
  expect(supported).toBe(true);

  // The run lasts until the checks below are done (25 s at most): the observer's pictures need live frames.
  let checked!: () => void;
  const checksDone = new Promise<void>((resolve) => { checked = resolve; });
  const exposing = hold(technician, 'cardiac-fluoro-7.5', 25_000, checksDone);
  const first = (await until(() => video(observer), (v) => v !== null && v.decoded >= 10, '10 decoded VP8 pictures', 60_000))!;
  expect(first.codec).toBe('vp8');
  await expect(observer.locator('#viewer-info')).toContainText('(vp8)');
  await screenshot(observer, 'live-video-observer');

  const late = await browser.newPage();
  late.on('pageerror', (e) => errors.push(String(e)));
  await signInObserver(late);
  const joinedAt = Date.now(); // from the click on Watch: the socket's opening, hello and first key frame, over the slow link
  await watch(late, examId);
  await until(() => video(late), (v) => v !== null && v.decoded >= 1, 'the late joiner\'s first picture', 60_000);
  const lateFirstPictureMs = Date.now() - joinedAt;

  const beforeDamage = (await video(observer))!;
  damage.pending.push('truncate', 'scramble');
  const rejected = (await until(() => video(observer), (v) => v !== null && v.rejected > beforeDamage.rejected, 'a damaged frame rejected', 30_000))!;
  const recovered = (await until(() => video(observer), (v) => v !== null && v.decoded >= rejected.decoded + 5, '5 pictures after the damage', 60_000))!;
  checked();
  await exposing;
  await screenshot(observer, 'live-video-recovered');

  expect(damage.done.length).toBeGreaterThan(0);
  expect(recovered.keyFramesAsked).toBeGreaterThan(beforeDamage.keyFramesAsked);
  expect(errors).toEqual([]);
  const lateState = (await video(late))!;
  const report = {
    link: observerUrl === station.url ? 'direct' : 'throttling relay (CATHLAB_OBSERVER_URL)',
    codec: recovered.codec,
    observer: recovered,
    damaged: damage.done,
    lastProblem: recovered.lastProblem,
    lateJoiner: { firstPictureMs: lateFirstPictureMs, ...lateState },
  };
  mkdirSync(station.artifacts, { recursive: true });
  writeFileSync(`${station.artifacts}/live-video.json`, JSON.stringify(report, null, 2));
  console.log(JSON.stringify(report));
});
