import { expect, test } from '@playwright/test';
import { writeFileSync } from 'node:fs';
import { expectConsole, hold, pageStatus, screenshot, signIn, station, until } from './station';

// A technician performs a whole exam from the page alone: an emergency exam, fluoro by holding the button, a cine,
// the exam ended, publishing seen committed. Also measures the console's command round trip (click → ack).

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

test('a technician performs an exam from the page alone', async ({ page }) => {
  await signIn(page, station.technicianToken);
  await expectConsole(page);
  await page.click('#emergency');
  await expect(page.locator('#answer')).toHaveText('StartExam: done');
  await expect(page.locator('#exam')).toContainText('EMERGENCY');

  // Command round trip: a protocol chosen in the select, to the station's acknowledgement, 200 times.
  const before = await page.evaluate(() => (window as never as { cathlab: { connection: { roundTrips: number[] } } }).cathlab.connection.roundTrips.length);
  for (let i = 0; i < 200; i++) {
    await page.selectOption('#protocol', i % 2 === 0 ? 'cardiac-cine-15' : 'cardiac-fluoro-7.5');
    await page.waitForFunction((n) => (window as never as { cathlab: { connection: { roundTrips: number[] } } }).cathlab.connection.roundTrips.length > n, before + i);
  }
  const trips = (await page.evaluate(() => (window as never as { cathlab: { connection: { roundTrips: number[] } } }).cathlab.connection.roundTrips)).slice(before);
  const sorted = [...trips].sort((a, b) => a - b);
  const figures = { commands: sorted.length, p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99), maxMs: sorted[sorted.length - 1] };
  console.log(`command round trip: ${JSON.stringify(figures)}`);
  writeFileSync(`${station.artifacts}/round-trip.json`, JSON.stringify(figures));

  await hold(page, 'cardiac-fluoro-7.5', 1500);
  await expect(page.locator('#runs li')).toHaveCount(1);
  await expect(page.locator('#runs li').first()).toContainText('fluoro');
  expect(await page.evaluate(() => (window as never as { cathlab: { console: { liveFrames: number } } }).cathlab.console.liveFrames)).toBeGreaterThan(0);
  await hold(page, 'cardiac-cine-15', 2000);
  await expect(page.locator('#runs li')).toHaveCount(2);
  await expect(page.locator('#runs li').last()).toContainText('cine');
  await expect(page.locator('#runs li').last()).toContainText('complete');
  // The reference monitor: the cine's last frame read from its object; any frame of it on the slider; the fluoro run
  // (no object) by its last-image hold.
  await expect(page.locator('#reference-info')).toHaveText(/^run 2, frame (\d+)\/\1$/);
  await expect(page.locator('#runs li').locator('canvas, img')).toHaveCount(2); // a thumbnail for each run
  await page.locator('#reference-frame').fill('3');
  await expect(page.locator('#reference-info')).toHaveText(/^run 2, frame 3\/\d+$/);
  await page.locator('#runs li').first().click();
  await expect(page.locator('#reference-info')).toContainText('run 1, last frame'); // any run chosen in the strip
  await screenshot(page, 'console-after-cine');

  await page.click('#end-exam');
  await expect(page.locator('#answer')).toHaveText('EndExam: done');
  // The cine's XA object and the exam's dose report, both stored and committed by the archive.
  await until(() => pageStatus(page), (s) => s !== null && s.objectsCommitted >= 2 && s.objectsPending === 0, 'publishing committed', 60_000);
  await expect(page.locator('#publishing')).toContainText('committed');
  await screenshot(page, 'console-exam-published');
});
