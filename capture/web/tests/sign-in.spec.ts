import { expect, test } from '@playwright/test';
import { screenshot, signIn, station } from './station';

test('a wrong token is refused and nothing is shown', async ({ page }) => {
  await signIn(page, 'not-a-token-of-this-station');
  await expect(page.locator('#signin-error')).toContainText('Sign-in refused: token not recognised');
  await expect(page.locator('#console')).toBeHidden();
  await expect(page.locator('#viewer')).toBeHidden();
  expect(await page.evaluate(() => sessionStorage.getItem('cathlab.token'))).toBeNull();
  await screenshot(page, 'sign-in-refused');
});

test('a technician token opens the console, and the token never reaches a URL', async ({ page }) => {
  const urls: string[] = [];
  page.on('request', (r) => urls.push(r.url()));
  page.on('websocket', (w) => urls.push(w.url()));
  await signIn(page, station.technicianToken);
  await expect(page.locator('#console')).toBeVisible();
  await expect(page.locator('#who')).toContainText('technician');
  expect(urls.filter((u) => u.includes(station.technicianToken))).toEqual([]);
  await page.reload();
  await expect(page.locator('#console')).toBeVisible();
  await screenshot(page, 'console-signed-in');
});

test('an observer token opens the viewer, not the console', async ({ page }) => {
  test.skip(!station.observerToken, 'no observer token given');
  await signIn(page, station.observerToken);
  await expect(page.locator('#viewer')).toBeVisible();
  await expect(page.locator('#console')).toBeHidden();
  await screenshot(page, 'viewer-signed-in');
});
