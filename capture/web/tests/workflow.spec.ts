import { expect, test, type Page } from '@playwright/test';
import { expectConsole, hold, rig, screenshot, signIn, until } from './station';

// The console's workflow against the hospital: the exam opened from the worklist (Orthanc's), a DSA run, the run
// remasked, the exam ended; the PACS commits everything, a second destination refuses every object until the rig
// mends it, and the technician's Retry sends each refused object again.
const patient = process.env['CATHLAB_WORKLIST_PATIENT'] ?? '';
const remote = process.env['CATHLAB_REMOTE_PACS'] ?? '';

/** The outbox as the page lists it: one line per object and destination. */
async function outbox(page: Page): Promise<string[]> {
  return page.locator('#outbox li').allTextContents();
}

const toRemote = (lines: string[]) => lines.filter((l) => l.includes(`→ ${remote}:`));
const toPacs = (lines: string[]) => lines.filter((l) => !l.includes(`→ ${remote}:`));

test('a technician works an exam from the worklist', async ({ page }) => {
  test.skip(!patient || !remote, 'started by WebConsoleBrowserTests with the hospital');
  test.setTimeout(300_000);
  await signIn(page, process.env['CATHLAB_TOKEN']!);
  await expectConsole(page);

  await page.click('#query-worklist');
  await expect(page.locator('#answer')).toHaveText('QueryWorklist: done');
  const entry = page.locator('#worklist li', { hasText: patient });
  await expect(entry).toHaveCount(1);
  await entry.locator('button', { hasText: 'Open' }).click();
  await expect(page.locator('#answer')).toHaveText('StartExam: done');
  await expect(page.locator('#exam')).toContainText(patient);

  await hold(page, 'peripheral-dsa-3', 3500);
  const run = page.locator('#runs li').last();
  await expect(run).toContainText('dsa');
  await expect(run).toContainText('complete');
  const runNumber = await run.getAttribute('data-run');

  await page.fill('#remask-run', runNumber!);
  await page.fill('#remask-frames', '2,3');
  await page.click('#remask');
  await expect(page.locator('#answer')).toHaveText('Remask: done');
  await page.click('#end-exam');
  await expect(page.locator('#answer')).toHaveText('EndExam: done');

  // The run, its remasked copy and the dose report: committed by the PACS, refused by the remote destination.
  const settled = await until(() => outbox(page), (l) => toRemote(l).length >= 3 && toRemote(l).every((x) => x.includes('failed')) &&
    toPacs(l).length >= 3 && toPacs(l).every((x) => x.includes('committed')), 'the PACS to commit and the remote to refuse', 120_000);
  expect(toRemote(settled).every((l) => l.includes('the test\'s refusal'))).toBe(true);
  await expect(page.locator('#publishing')).toContainText(`failed ${toRemote(settled).length}`);
  await screenshot(page, 'console-outbox-refused');

  await rig('fix-remote-pacs');
  const retry = page.locator('#outbox li button', { hasText: 'Retry' });
  for (let left = toRemote(settled).length; left > 0; left--) {
    await expect(retry).toHaveCount(left);
    await retry.first().click();
    await expect(page.locator('#answer')).toHaveText('RetryOutboxItem: done');
    await expect(retry).toHaveCount(left - 1, { timeout: 30_000 });
  }
  const delivered = await until(() => outbox(page), (l) => toRemote(l).length === toRemote(settled).length && toRemote(l).every((x) => x.includes(': committed')),
    'the retried objects stored (committed: this destination is not asked for storage commitment)', 120_000);
  expect(toPacs(delivered).every((l) => l.includes('committed'))).toBe(true);
  await expect(retry).toHaveCount(0);
  await screenshot(page, 'console-outbox-retried');
});
