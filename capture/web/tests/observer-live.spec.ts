import { expect, test, type Page } from '@playwright/test';
import { writeFileSync } from 'node:fs';
import { pageStatus, restartStation, screenshot, signIn, station, technicianRecords, until } from './station';

// The remote observer's live side: joining between runs shows the last run's last image (not a black canvas), a run
// still being recorded is reviewed while it grows, and the station restarting under the viewer is said on a banner
// and followed by the viewer watching again by itself.

interface MonitorState {
  state: string;
  frames: number;
  lastImageHold: boolean;
  reconnects: number;
  closeReason: string;
}

function monitor(page: Page): Promise<MonitorState> {
  return page.evaluate(() => {
    const m = (window as never as { cathlab: { viewer: { monitor: MonitorState } } }).cathlab.viewer.monitor;
    return { state: m.state, frames: m.frames, lastImageHold: m.lastImageHold, reconnects: m.reconnects, closeReason: m.closeReason };
  });
}

/** How much of the live canvas is lit: 0 for a black canvas. */
function litPixels(page: Page): Promise<number> {
  return page.evaluate(() => {
    const canvas = document.getElementById('viewer-live') as HTMLCanvasElement;
    const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    let lit = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i]! > 16) lit++;
    return lit / (data.length / 4);
  });
}

function playerShown(page: Page): Promise<{ shown: number; state: string; frames: number } | null> {
  return page.evaluate(() => {
    const p = (window as never as { cathlab: { viewer: { player: { shown: number[]; state: string; frames: number } | null } } }).cathlab.viewer.player;
    return p ? { shown: p.shown.length, state: p.state, frames: p.frames } : null;
  });
}

test('an observer joins between runs, reviews a growing run and follows a station restart', async ({ browser }) => {
  const { technician, examId } = await technicianRecords(browser, 'cardiac-fluoro-7.5', 1500);

  // Joining after the fluoro: the hold is sent at once, and the canvas shows it.
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await signIn(page, station.observerToken);
  await expect(page.locator('#viewer')).toBeVisible();
  await page.fill('#viewer-exam', examId);
  await page.click('#viewer-watch');
  const held = await until(() => monitor(page), (m) => m.frames >= 1, 'the last-image hold for a late joiner');
  expect(held.lastImageHold).toBe(true);
  await expect(page.locator('#viewer-info')).toContainText('LIH');
  const lit = await litPixels(page);
  expect(lit).toBeGreaterThan(0.2);
  await screenshot(page, 'viewer-late-joiner-hold');

  // A cine reviewed while it is being recorded: the run listed as recording, its player following it as it grows.
  const box = (await technician.locator('#deadman').boundingBox())!;
  await technician.selectOption('#protocol', 'cardiac-cine-15');
  await expect(technician.locator('#answer')).toHaveText('SelectProtocol: done');
  await technician.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await technician.mouse.down();
  const recording = page.locator('#review-runs li', { hasText: 'recording' });
  await expect(recording).toHaveCount(1, { timeout: 30_000 });
  await page.selectOption('#review-rate', '30');
  await recording.click();
  const early = await until(() => playerShown(page), (p) => p !== null && p.shown >= 1, 'the first frame of the growing run');
  await technician.waitForTimeout(2500);
  await technician.mouse.up();
  await until(() => pageStatus(technician), (s) => s?.exposureState.startsWith('Exposing') === false, 'the cine stopped');
  const grown = await until(() => playerShown(page), (p) => p !== null && p.state === 'ended' && p.frames > early!.frames, 'the player at the grown run\'s end', 60_000);
  expect(grown!.shown).toBeGreaterThanOrEqual(grown!.frames);
  await screenshot(page, 'viewer-growing-run-reviewed');

  // The station restarts: the banner says so, the viewer keeps its picture, then watches again by itself.
  const restarted = restartStation();
  await expect(page.locator('#banner')).toHaveText('Connection to the station lost: reconnecting…', { timeout: 30_000 });
  expect((await monitor(page)).state).toBe('reconnecting');
  await expect(page.locator('#viewer-info')).toContainText('reconnecting');
  await screenshot(page, 'viewer-station-restarting');
  await restarted;
  const back = await until(() => monitor(page), (m) => m.state === 'live' && m.reconnects >= 1, 'the viewer watching again', 60_000);
  await expect(page.locator('#banner')).toBeHidden();
  await screenshot(page, 'viewer-after-restart');
  const figures = { lateJoinerLit: Math.round(lit * 1000) / 1000, growingRun: { firstSeenAtFrames: early!.frames, endedAtFrames: grown!.frames, shown: grown!.shown }, reconnects: back!.reconnects };
  console.log(`observer live: ${JSON.stringify(figures)}`);
  writeFileSync(`${station.artifacts}/observer-live.json`, JSON.stringify(figures));
  expect(errors).toEqual([]);
});
