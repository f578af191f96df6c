import { expect, test, type Page } from '@playwright/test';
import { writeFileSync } from 'node:fs';
import { screenshot, signIn, station, technicianRecords, until } from './station';

// An observer reviews a run the technician has just recorded: the run list, playback at 30 fps (every frame counted),
// steps, window/level and invert changing the canvas pixels, zoom fetching the full-resolution frame; and an unknown
// run (opened by id from the fragment) answered with a clear message. Measures click → first frame and frames shown.

interface PlayerState {
  runId: string;
  frames: number;
  state: string;
  problem: string;
  shown: number[];
  fullResolutionFetches: number;
  firstFrameMs: number;
  current: number;
  view: { source: string; sourceWidth: number; zoom: number };
}

function player(page: Page): Promise<PlayerState | null> {
  return page.evaluate(() => {
    const p = (window as never as { cathlab: { viewer: { player: PlayerState | null } | null } }).cathlab.viewer?.player;
    return p ? { runId: p.runId, frames: p.frames, state: p.state, problem: p.problem, shown: [...p.shown], fullResolutionFetches: p.fullResolutionFetches, firstFrameMs: p.firstFrameMs, current: p.current, view: { source: p.view.source, sourceWidth: p.view.sourceWidth, zoom: p.view.zoom } } : null;
  });
}

/** The review canvas's pixels, summed: any change of window/level or invert changes it. */
function canvasChecksum(page: Page): Promise<number> {
  return page.evaluate(() => {
    const canvas = document.getElementById('review') as HTMLCanvasElement;
    const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    let sum = 0;
    for (let i = 0; i < data.length; i += 4) sum += data[i]! * ((i >> 2) % 251 + 1);
    return sum;
  });
}

test('an observer reviews a recorded run', async ({ browser }) => {
  const { examId } = await technicianRecords(browser, 'cardiac-cine-15', 2000);

  const page = await browser.newPage();
  const urls: string[] = [];
  page.on('request', (r) => urls.push(r.url()));
  page.on('websocket', (w) => urls.push(w.url()));
  const fullResolution: string[] = [];
  page.on('response', (r) => {
    if (r.url().includes('/live/runs/frame')) fullResolution.push(`${r.status()} ${r.headers()['content-type']}`);
  });
  await signIn(page, station.observerToken);
  await expect(page.locator('#viewer')).toBeVisible();
  await page.fill('#viewer-exam', examId);
  await page.click('#viewer-watch');
  const run = page.locator('#review-runs li');
  await expect(run).toHaveCount(1);
  await expect(run.first()).toContainText('cine');
  await expect(run.first()).toContainText('cardiac-cine-15');
  await expect(run.first().locator('img')).toHaveCount(1);
  await expect(run.first()).not.toContainText('recording');
  const listed = await page.evaluate(() => (window as never as { cathlab: { viewer: { runList: { runs: { frames: number; width: number }[] } } } }).cathlab.viewer.runList.runs[0]!);
  expect(listed.frames).toBeGreaterThan(10);
  await screenshot(page, 'viewer-run-list');

  // Playback at 30 fps: every frame of the run shown, in order.
  await page.selectOption('#review-rate', '30');
  await run.first().click();
  const played = (await until(() => player(page), (p) => p !== null && p.shown.length >= listed.frames && p.state === 'ended', 'the run played to its end'))!;
  const distinct = new Set(played.shown).size;
  expect(played.shown).toEqual(Array.from({ length: listed.frames }, (_, i) => i + 1));
  await screenshot(page, 'viewer-review-played');

  // The same click over a 2 Mbit/s link (the page itself loaded through it): click to the run's first frame drawn.
  const slow = { pageLoadMs: -1, firstFrameMs: [] as number[] };
  if (station.slowUrl) {
    const remote = await browser.newPage();
    const loading = Date.now();
    await signIn(remote, station.observerToken, station.slowUrl);
    await expect(remote.locator('#viewer')).toBeVisible();
    slow.pageLoadMs = Date.now() - loading;
    await remote.fill('#viewer-exam', examId);
    await remote.click('#viewer-watch');
    const remoteRun = remote.locator('#review-runs li');
    await expect(remoteRun).toHaveCount(1, { timeout: 30_000 });
    await remote.selectOption('#review-rate', '30');
    for (let i = 0; i < 5; i++) {
      await remoteRun.first().click();
      const first = (await until(() => player(remote), (p) => p !== null && p.firstFrameMs >= 0, 'the first frame over 2 Mbit/s'))!;
      slow.firstFrameMs.push(Math.round(first.firstFrameMs * 10) / 10);
      await remote.click('#review-pause');
    }
    await screenshot(remote, 'viewer-review-over-2-mbit');
    await remote.close();
  }
  const figures = { frames: listed.frames, shown: played.shown.length, distinct, skipped: listed.frames - distinct, firstFrameMs: Math.round(played.firstFrameMs * 10) / 10, slow };
  console.log(`review: ${JSON.stringify(figures)}`);
  writeFileSync(`${station.artifacts}/review.json`, JSON.stringify(figures));

  // Steps back and forward, and a scrub to a frame.
  await page.click('#review-back');
  await until(() => player(page), (p) => p?.current === listed.frames - 1 && p.state === 'paused', 'a step back');
  await page.click('#review-back');
  await until(() => player(page), (p) => p?.current === listed.frames - 2, 'another step back');
  await page.click('#review-forward');
  await until(() => player(page), (p) => p?.current === listed.frames - 1, 'a step forward');
  await page.locator('#review-scrub').fill('5');
  await until(() => player(page), (p) => p?.current === 5 && p.state === 'paused', 'a scrub to frame 5');

  // Window/level by dragging changes the displayed pixels; invert does too.
  const box = (await page.locator('#review').boundingBox())!;
  const centre = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  const before = await canvasChecksum(page);
  await page.mouse.move(centre.x, centre.y);
  await page.mouse.down();
  await page.mouse.move(centre.x - 120, centre.y + 60, { steps: 6 });
  await page.mouse.up();
  const windowed = await canvasChecksum(page);
  expect(windowed).not.toBe(before);
  await page.check('#review-invert');
  expect(await canvasChecksum(page)).not.toBe(windowed);
  await page.uncheck('#review-invert');
  await screenshot(page, 'viewer-review-windowed');

  // Paused past 1:1 (adaptation may have stepped the stream down to a tier smaller than the canvas), or zoomed in:
  // the full-resolution frame is fetched (token in the header, not the URL) and drawn at the run's stored width.
  await page.mouse.move(centre.x, centre.y);
  await page.mouse.wheel(0, -120);
  const paused = (await until(() => player(page), (p) => p?.view.source === 'full-resolution' && p.view.zoom > 1, 'the full-resolution frame, paused'))!;
  expect(paused.current).toBe(5);
  expect(paused.view.sourceWidth).toBe(listed.width);

  // Playing unzoomed nothing is fetched; zoomed in while playing, the frame shown is fetched: the zoom asks for it.
  await page.click('#review-reset');
  await page.selectOption('#review-rate', '2');
  await page.check('#review-loop');
  await page.click('#review-play');
  const playing = (await until(() => player(page), (p) => p?.state === 'playing' && p.current >= 7, 'playback at 2 fps'))!;
  const unzoomed = (await until(() => player(page), (p) => p !== null && p.current >= playing.current + 1, 'another frame at 2 fps'))!;
  expect(unzoomed.view.source).toBe('streamed');
  expect(unzoomed.fullResolutionFetches).toBe(paused.fullResolutionFetches);
  await page.mouse.move(centre.x, centre.y);
  await page.mouse.wheel(0, -120);
  const zoomed = (await until(() => player(page), (p) => p?.view.source === 'full-resolution' && p.fullResolutionFetches > unzoomed.fullResolutionFetches, 'the full-resolution frame, zoomed while playing'))!;
  expect(zoomed.view.sourceWidth).toBe(listed.width);
  console.log(`full-resolution fetches: ${paused.fullResolutionFetches} before playing, ${zoomed.fullResolutionFetches} after the zoom while playing (frame ${zoomed.current})`);
  await page.click('#review-pause');
  await until(() => player(page), (p) => p?.state === 'paused', 'paused');
  expect(new Set(fullResolution)).toEqual(new Set(['200 image/png']));
  await screenshot(page, 'viewer-review-zoomed');
  expect(urls.filter((u) => u.includes(station.observerToken))).toEqual([]);

  // A run that is not recorded, opened by id from the fragment: a clear message, nothing played.
  const unknown = await browser.newPage();
  await signIn(unknown, station.observerToken, `${station.url}#exam=${encodeURIComponent(examId)}&run=${encodeURIComponent(`${examId}/run-99`)}`);
  await expect(unknown.locator('#review-info')).toContainText(`Run ${examId}/run-99 is not recorded in exam ${examId}`);
  expect((await player(unknown))!.shown).toEqual([]);
  await screenshot(unknown, 'viewer-review-unknown-run');
});
