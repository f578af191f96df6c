import { expect, test, type Browser, type Page } from '@playwright/test';
import { writeFileSync } from 'node:fs';
import { expectConsole, restartStation, screenshot, signIn, station, technicianRecords, until } from './station';

// A case discussion between two cardiologists' browsers about a cine the technician records: shared playback in step,
// floor control, pointers, annotations, chat, a participant's tab killed and reopened, and the station restarted.

interface Seen {
  link: string;
  you: string;
  driver: string | null;
  participants: { id: string; name: string; colour: string; online: boolean }[];
  playback: { runId: string; frames: number; playing: boolean; startFrame: number; rate: number } | null;
  current: number;
  expected: number;
  annotations: { id: string; kind: string; author: string; frame: number }[];
  chat: { name: string; text: string }[];
  pointers: Record<string, { x: number; y: number }>;
  refused: string;
  joins: number;
}

function seen(page: Page): Promise<Seen> {
  return page.evaluate(() => {
    type Panel = {
      connection: { link: string; joins: number } | null; you: string; floor: { driver: string | null }; participants: Map<string, Seen['participants'][number]>;
      playback: Seen['playback']; sharedFrame: number; annotations: Seen['annotations']; chat: Seen['chat']; pointers: Map<string, { x: number; y: number }>; refused: string;
    };
    const viewer = (window as never as { cathlab: { viewer: { discussion: Panel; player: { current: number } } } }).cathlab.viewer;
    const d = viewer.discussion;
    return {
      link: d.connection?.link ?? 'idle', you: d.you, driver: d.floor.driver, participants: [...d.participants.values()].map((p) => ({ id: p.id, name: p.name, colour: p.colour, online: p.online })),
      playback: d.playback, current: viewer.player.current, expected: d.sharedFrame, annotations: d.annotations.map((a) => ({ id: a.id, kind: a.kind, author: a.author, frame: a.frame })),
      chat: d.chat.map((c) => ({ name: c.name, text: c.text })), pointers: Object.fromEntries([...d.pointers].map(([k, v]) => [k, { x: v.x, y: v.y }])), refused: d.refused, joins: d.connection?.joins ?? 0,
    };
  });
}

function shownLog(page: Page): Promise<[number, number][]> {
  return page.evaluate(() => [...(window as never as { cathlab: { viewer: { discussion: { shownLog: [number, number][] } } } }).cathlab.viewer.discussion.shownLog]);
}

/** The frame a page showed at station time t: the last one drawn before it. */
function frameAt(log: [number, number][], t: number): number {
  let frame = 0;
  for (const [at, f] of log) {
    if (at > t) break;
    frame = f;
  }
  return frame;
}

async function participant(browser: Browser, examId: string, name: string): Promise<Page> {
  const page = await browser.newPage();
  await signIn(page, station.observerToken, `${station.url}#exam=${encodeURIComponent(examId)}&discuss=${encodeURIComponent(name)}`);
  await expect(page.locator('#viewer')).toBeVisible();
  await until(() => seen(page), (s) => s.link === 'joined', `${name} in the discussion`);
  return page;
}

/** Frames apart on a looping run of <frames>. */
function apart(a: number, b: number, frames: number): number {
  const d = Math.abs(a - b);
  return Math.min(d, frames - d);
}

test('two cardiologists discuss a recorded cine', async ({ browser }) => {
  const { technician, examId } = await technicianRecords(browser, 'cardiac-cine-15', 2000);

  const errors: string[] = [];
  const remote = await participant(browser, examId, 'Dr Remote');
  const local = await participant(browser, examId, 'Dr Local');
  for (const p of [remote, local]) p.on('pageerror', (e) => errors.push(String(e)));
  // Both see both, in different colours; the first to join drives.
  for (const p of [remote, local]) await until(() => seen(p), (s) => s.participants.filter((x) => x.online).length === 2, 'two participants online');
  const a = await seen(remote);
  const b = await seen(local);
  expect(new Set(a.participants.map((p) => p.colour)).size).toBe(2);
  expect(a.driver).toBe(a.you);
  expect(b.driver).toBe(a.you);

  // The driver chooses the run and a frame: the other follows.
  await expect(remote.locator('#review-runs li')).toHaveCount(1);
  await remote.locator('#review-runs li').first().click();
  await until(() => seen(local), (s) => s.playback !== null && s.current === 1, 'the other side showing frame 1');
  await remote.locator('#review-scrub').fill('9');
  for (const p of [remote, local]) await until(() => seen(p), (s) => s.current === 9 && s.playback?.playing === false, 'both at frame 9');

  // Played at 10 fps: each side keeps within a frame of the shared clock once settled; paused, both show the same frame.
  await remote.selectOption('#review-rate', '10');
  await remote.click('#review-play');
  await until(() => seen(local), (s) => s.playback?.playing === true, 'playing on the other side');
  await remote.waitForTimeout(1500);
  const clockOffsets: number[] = [];
  for (let i = 0; i < 10; i++) {
    for (const p of [remote, local]) {
      const s = await seen(p);
      clockOffsets.push(apart(s.current, s.expected, s.playback!.frames));
    }
    await remote.waitForTimeout(120);
  }
  // In step with each other: the frame each page showed at the same station time, every 20 ms over the last 1.2 s.
  const logs = await Promise.all([remote, local].map((p) => shownLog(p)));
  const frames = (await seen(remote)).playback!.frames;
  const end = Math.min(logs[0]!.at(-1)![0], logs[1]!.at(-1)![0]);
  const offsets: number[] = [];
  for (let t = end - 1200; t <= end; t += 20) offsets.push(apart(frameAt(logs[0]!, t), frameAt(logs[1]!, t), frames));
  await remote.click('#review-pause');
  const paused = await until(() => seen(remote), (s) => s.playback?.playing === false && s.current === s.playback.startFrame, 'paused');
  await until(() => seen(local), (s) => s.current === paused.playback!.startFrame, 'the other side on the same paused frame');

  // Without the floor, the other's controls are refused by the station and move nothing.
  await local.click('#review-forward');
  await until(() => seen(local), (s) => s.refused.includes('needs the floor'), 'a step refused without the floor');
  expect((await seen(remote)).current).toBe(paused.playback!.startFrame);
  await local.click('#discussion-request');
  await expect(remote.locator('#discussion-participants button', { hasText: 'Give the floor' })).toHaveCount(1);
  await remote.locator('#discussion-participants button', { hasText: 'Give the floor' }).click();
  await until(() => seen(local), (s) => s.driver === s.you, 'the floor given');
  await local.click('#review-forward');
  await until(() => seen(remote), (s) => s.current === paused.playback!.startFrame + 1, 'the new driver\'s step seen by the first');

  // A pointer moved on one side is drawn on the other; an arrow drawn on one frame appears on both.
  const box = (await remote.locator('#review-area').boundingBox())!;
  await remote.mouse.move(box.x + 100, box.y + 120);
  await remote.mouse.move(box.x + 256, box.y + 256, { steps: 10 });
  await until(() => seen(local), (s) => Object.keys(s.pointers).length === 1, 'the remote pointer on the other side');
  await remote.selectOption('#discussion-tool', 'arrow');
  await remote.fill('#discussion-note', 'stenosis?');
  await remote.mouse.move(box.x + 150, box.y + 150);
  await remote.mouse.down();
  await remote.mouse.move(box.x + 250, box.y + 220, { steps: 5 });
  await remote.mouse.up();
  const marked = await until(() => seen(local), (s) => s.annotations.length === 1, 'the arrow on the other side');
  expect(marked.annotations[0]!.kind).toBe('arrow');
  await expect(local.locator('#discussion-annotations li')).toContainText('stenosis?');
  await remote.selectOption('#discussion-tool', 'none');

  // Chat, with names.
  await local.fill('#discussion-say', 'agree, mid LAD');
  await local.press('#discussion-say', 'Enter');
  await until(() => seen(remote), (s) => s.chat.some((c) => c.name === 'Dr Local' && c.text === 'agree, mid LAD'), 'the chat line on the other side');
  await screenshot(remote, 'discussion-remote');
  await screenshot(local, 'discussion-local');

  // One tab killed and reopened: the whole state back, in step.
  const frameNow = (await seen(remote)).current;
  await local.close();
  await until(() => seen(remote), (s) => s.participants.some((p) => p.name === 'Dr Local' && !p.online), 'the closed tab seen as away');
  const reopened = await participant(browser, examId, 'Dr Local');
  const back = await until(() => seen(reopened), (s) => s.current === frameNow && s.annotations.length === 1 && s.chat.length >= 1, 'the reopened tab in step');
  expect(back.driver).toBe(back.you); // the same holder under the same name is the same participant, floor and all

  // The technician at the table joins from the console's "Review & discuss" and takes the floor.
  await technician.click('#to-viewer');
  await expect(technician.locator('#viewer')).toBeVisible();
  await expect(technician.locator('#viewer-exam')).toHaveValue(examId);
  await technician.fill('#discussion-name', 'Tech at the table');
  await technician.click('#discussion-join');
  await until(() => seen(technician), (s) => s.link === 'joined' && s.current === frameNow, 'the technician in the discussion, in step');
  await expect(technician.locator('#discussion-request')).toBeHidden();
  await technician.click('#discussion-take');
  await until(() => seen(remote), (s) => s.participants.find((p) => p.id === s.driver)?.name === 'Tech at the table', 'the technician driving');
  await screenshot(technician, 'discussion-technician');
  await technician.click('#to-console');
  await expectConsole(technician);

  // The station restarted mid-discussion: both join again by themselves, and the discussion is as it was.
  const restarted = restartStation();
  await until(() => seen(remote), (s) => s.link === 'reconnecting', 'the discussion lost');
  await expect(remote.locator('#discussion-state')).toContainText('joining again');
  await restarted;
  for (const p of [remote, reopened]) {
    const s = await until(() => seen(p), (x) => x.link === 'joined' && x.joins >= 2, 'joined again after the restart', 60_000);
    expect(s.annotations.length).toBe(1);
    expect(s.chat.some((c) => c.text === 'agree, mid LAD')).toBe(true);
  }
  await screenshot(remote, 'discussion-after-restart');
  const histogram = (xs: number[]) => xs.reduce<Record<number, number>>((h, x) => ((h[x] = (h[x] ?? 0) + 1), h), {});
  const figures = { betweenParticipants: histogram(offsets), maxBetween: Math.max(...offsets), againstClock: histogram(clockOffsets), maxAgainstClock: Math.max(...clockOffsets) };
  console.log(`discussion: ${JSON.stringify(figures)}`);
  writeFileSync(`${station.artifacts}/discussion.json`, JSON.stringify(figures));
  expect(Math.max(...offsets)).toBeLessThanOrEqual(1);
  expect(errors).toEqual([]);
});

test('malformed and unknown discussion messages are ignored and counted', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  let route: import('@playwright/test').WebSocketRoute | undefined;
  await page.routeWebSocket(/\/ws\/discussion$/, (ws) => {
    ws.connectToServer();
    route = ws;
  });
  await signIn(page, station.observerToken, `${station.url}#exam=EXAM-JUNK&discuss=${encodeURIComponent('Dr Junk')}`);
  await expect(page.locator('#viewer')).toBeVisible();
  await until(() => seen(page), (s) => s.link === 'joined', 'joined');
  const junk = [
    'not json',
    '[]',
    '{"type":"state"}',
    '{"type":"playback","playback":{"runId":7}}',
    '{"type":"annotation","op":"exploded","annotation":{"id":"a9","author":"p9","kind":"arrow","runId":"r","frame":1,"points":[]}}',
    '{"type":"pointer","from":"p9","x":"left"}',
    '{"type":"teleport"}',
    '{"type":"chat","chat":{"from":"p9"}}',
  ];
  for (const m of junk) route!.send(m);
  route!.send(Buffer.from([1, 2, 3]));
  const ignored = () => page.evaluate(() => (window as never as { cathlab: { viewer: { discussion: { connection: { ignored: number } } } } }).cathlab.viewer.discussion.connection.ignored);
  await until(ignored, (n) => n >= junk.length + 1, 'every malformed message counted');
  expect(await ignored()).toBe(junk.length + 1);
  // The discussion goes on: a chat line still goes out and comes back.
  await page.fill('#discussion-say', 'still here');
  await page.press('#discussion-say', 'Enter');
  await until(() => seen(page), (s) => s.chat.some((c) => c.text === 'still here'), 'the chat line back');
  expect((await seen(page)).participants).toHaveLength(1);
  expect(errors).toEqual([]);
});
