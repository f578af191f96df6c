import { expect, test, type WebSocketRoute } from '@playwright/test';
import { expectConsole, hold, pageStatus, restartStation, screenshot, signIn, station, until } from './station';

// What the page does when the station misbehaves: messages it cannot read, and the station restarting under it.

type Counters = { cathlab: { connection: { ignored: number } | null; connected: boolean; banner: string } };

test('malformed and unknown messages from the station are ignored and counted', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  // The console's socket passes through the test, which adds its own messages to what the station sends.
  let route: WebSocketRoute | undefined;
  await page.routeWebSocket(/\/ws\/console$/, (ws) => {
    ws.connectToServer();
    route = ws;
  });
  await signIn(page, station.technicianToken);
  await expectConsole(page);
  const ignoredBefore = await page.evaluate(() => (window as unknown as Counters).cathlab.connection!.ignored);
  const stateBefore = await page.locator('#exposure-state').textContent();
  const junk = [
    'not json at all',
    '[1, 2, 3]',
    '"a string"',
    '{"type":"launch"}',
    '{"type":"status"}',
    '{"type":"status","status":{"exposureState":7},"runs":[],"outbox":[]}',
    '{"type":"status","status":{"exposureState":"Ready","objectsPending":0,"objectsCommitted":0},"runs":[{"number":"x"}],"outbox":[]}',
    '{"type":"welcome","subject":"intruder","role":"admin","leaseMs":300,"renewIntervalMs":100}',
    '{"type":"held","id":1,"reply":{}}',
    '{"type":"released","id":1}',
    '{"type":"ack"}',
  ];
  for (const message of junk) route!.send(message);
  route!.send(Buffer.from([0xff, 0x00, 0x13, 0x37]));
  const sent = junk.length + 1;
  await page.waitForFunction((n) => (window as unknown as Counters).cathlab.connection!.ignored >= n, ignoredBefore + sent);
  expect(await page.evaluate(() => (window as unknown as Counters).cathlab.connection!.ignored)).toBe(ignoredBefore + sent);
  // Nothing of it shown, and the console goes on: the role and the state are the station's, a command is answered.
  await expect(page.locator('#who')).toContainText('technician');
  await expect(page.locator('#exposure-state')).toHaveText(stateBefore!);
  await page.selectOption('#protocol', 'cardiac-cine-15');
  await expect(page.locator('#answer')).toHaveText('SelectProtocol: done');
  expect(errors).toEqual([]);
  console.log(`ignored ${sent} malformed or unknown messages; page errors: ${errors.length}`);
});

test('the station restarted mid-session', async ({ page }) => {
  await signIn(page, station.technicianToken);
  await expectConsole(page);
  await page.click('#emergency');
  await expect(page.locator('#answer')).toHaveText('StartExam: done');
  await hold(page, 'cardiac-cine-15', 1000);
  await page.click('#end-exam');
  await expect(page.locator('#answer')).toHaveText('EndExam: done');
  const before = (await until(() => pageStatus(page), (s) => s !== null && s.objectsCommitted >= 2 && s.objectsPending === 0, 'publishing committed', 60_000))!;
  const who = await page.locator('#who').textContent();

  const restarted = restartStation();
  await expect(page.locator('#banner')).toHaveText('Connection to the station lost: reconnecting…', { timeout: 30_000 });
  await expect(page.locator('#deadman')).not.toHaveClass(/held/);
  await expect(page.locator('#console')).toHaveJSProperty('inert', true); // the stale console cannot be pressed
  await screenshot(page, 'console-station-restarting');
  await restarted;

  // Back without the token typed again; the banner gone; the state the restarted station has (its outbox is durable).
  await page.waitForFunction(() => (window as unknown as Counters).cathlab.connected && (window as unknown as Counters).cathlab.banner === '', undefined, { timeout: 60_000 });
  await expect(page.locator('#banner')).toBeHidden();
  await expect(page.locator('#console')).toHaveJSProperty('inert', false);
  await expectConsole(page);
  await expect(page.locator('#who')).toHaveText(who!);
  const after = (await until(() => pageStatus(page), (s) => s !== null && s.objectsCommitted >= before.objectsCommitted, 'the outbox as before the restart', 30_000))!;
  expect(after.objectsCommitted).toBe(before.objectsCommitted);
  expect(after.exam?.open ?? false).toBe(false);
  await page.selectOption('#protocol', 'cardiac-fluoro-7.5');
  await expect(page.locator('#answer')).toHaveText('SelectProtocol: done');
  await screenshot(page, 'console-after-restart');
});
