import { expect, type Browser, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';

/** What the xunit rig passes in the environment: the station's web address, tokens, and its hook (the simulator's counters). */
export const station = {
  url: required('CATHLAB_URL'),
  technicianToken: required('CATHLAB_TOKEN'),
  observerToken: process.env['CATHLAB_OBSERVER_TOKEN'] ?? '',
  hook: process.env['CATHLAB_HOOK'] ?? '',
  /** The same station through the project's throttling relay (2 Mbit/s each way), where the rig provides one. */
  slowUrl: process.env['CATHLAB_SLOW_URL'] ?? '',
  allowedPulses: Number(process.env['CATHLAB_ALLOWED_PULSES'] ?? '0'),
  artifacts: process.env['CATHLAB_ARTIFACTS'] ?? 'test-results',
};

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: these tests are started by tests/CathLab.Station.Tests/Web (dotnet test)`);
  return value;
}

export async function signIn(page: Page, token: string, url = station.url): Promise<void> {
  await page.goto(url);
  await page.fill('#token', token);
  await page.click('#signin button[type=submit]');
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(station.artifacts, { recursive: true });
  await page.screenshot({ path: `${station.artifacts}/${name}.png`, fullPage: true });
}

/** The simulated generator's own state and pulse count, read by the rig from the simulator. */
export async function generator(): Promise<{ state: string; pulses: number }> {
  const reply = await fetch(`${station.hook}/generator`);
  return (await reply.json()) as { state: string; pulses: number };
}

/** Asks the rig for one of its actions (tests/CathLab.Station.Tests/Web/RigHook); resolves once it is done. */
export async function rig(action: string): Promise<void> {
  const reply = await fetch(`${station.hook}/${action}`, { method: 'POST' });
  if (!reply.ok) throw new Error(`the rig did not do ${action}: HTTP ${reply.status} ${await reply.text()}`);
}

export async function stallNetwork(): Promise<void> {
  await rig('stall');
}

/** Restarts the station (the rig stops it and starts it again on the same ports and folders); resolves once it is back. */
export async function restartStation(): Promise<void> {
  await rig('restart-station');
}

export async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, timeoutMs = 30_000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() - start > timeoutMs) throw new Error(`gave up waiting for ${what}: last ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Status values the page shows, read from the page's state for the tests. */
export function pageStatus(page: Page): Promise<{ exposureState: string; objectsCommitted: number; objectsPending: number; exam?: { open: boolean; examId: string } } | null> {
  return page.evaluate(() => (window as unknown as { cathlab: { console: { status: unknown } | null } }).cathlab.console?.status ?? null) as never;
}

export async function expectConsole(page: Page): Promise<void> {
  await expect(page.locator('#console')).toBeVisible();
  await expect(page.locator('#exposure-state')).not.toHaveText('-');
}

/** Selects a protocol and holds the exposure button for ms once the station exposes, then releases it. */
/** Holds the exposure button for <ms>, or until <releaseWhen> settles if that comes first. */
export async function hold(page: Page, protocol: string, ms: number, releaseWhen?: Promise<unknown>): Promise<void> {
  await page.selectOption('#protocol', protocol);
  await expect(page.locator('#answer')).toHaveText('SelectProtocol: done');
  const box = (await page.locator('#deadman').boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await until(() => pageStatus(page), (s) => s?.exposureState.startsWith('Exposing') === true, `${protocol} exposing`);
  await Promise.race([page.waitForTimeout(ms), ...(releaseWhen ? [releaseWhen.catch(() => undefined)] : [])]);
  await page.mouse.up();
  await until(() => pageStatus(page), (s) => s?.exposureState.startsWith('Exposing') === false, `${protocol} stopped`);
}

/** A technician's page that opens an emergency exam and holds the button for one run of <protocol> (a cine's object
 * complete before it returns); returns the page and the exam's ID. The exam stays open. */
export async function technicianRecords(browser: Browser, protocol: string, ms: number): Promise<{ technician: Page; examId: string }> {
  const technician = await browser.newPage();
  await signIn(technician, station.technicianToken);
  await expectConsole(technician);
  await technician.click('#emergency');
  await expect(technician.locator('#answer')).toHaveText('StartExam: done');
  await hold(technician, protocol, ms);
  if (protocol.includes('cine')) await expect(technician.locator('#runs li').last()).toContainText('complete');
  return { technician, examId: (await pageStatus(technician))!.exam!.examId };
}
