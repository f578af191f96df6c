import { expect, test, type Page } from '@playwright/test';
import { screenshot, station } from './station';

// Sign-in through the hospital's OpenID Connect provider (tests/oidc: oidc-provider on 127.0.0.1): the page's
// "Sign in with the hospital", the provider's own login and consent pages, back to the page with the access token.

async function signInAtTheProvider(page: Page, user: string, urls: string[]): Promise<string> {
  page.on('request', (r) => urls.push(r.url()));
  page.on('websocket', (w) => urls.push(w.url()));
  await page.goto(station.url);
  await page.getByRole('button', { name: 'Sign in with the hospital' }).click();
  await page.locator('input[name=login]').fill(user);
  await page.locator('input[name=password]').fill('any password');
  await page.getByRole('button', { name: 'Sign-in' }).click();
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.locator('#who')).toContainText(user);
  const token = await page.evaluate(() => sessionStorage.getItem('cathlab.token'));
  expect(token?.split('.').length).toBe(3);
  return token!;
}

test('a technician signs in at the hospital provider and gets the console; the token never reaches a URL', async ({ page }) => {
  const urls: string[] = [];
  const token = await signInAtTheProvider(page, 'tech-anna', urls);
  await expect(page.locator('#console')).toBeVisible();
  await expect(page.locator('#who')).toHaveText('tech-anna (technician)');
  expect(urls.filter((u) => u.includes(token))).toEqual([]);
  expect(urls.filter((u) => u.startsWith(station.url) && u.includes('code='))).toEqual([]);
  expect(page.url()).not.toContain('code=');
  await screenshot(page, 'oidc-console');
});

test('an observer signs in at the hospital provider and gets the viewer, not the console', async ({ page }) => {
  await signInAtTheProvider(page, 'obs-omar', []);
  await expect(page.locator('#viewer')).toBeVisible();
  await expect(page.locator('#console')).toBeHidden();
  await expect(page.locator('#who')).toHaveText('obs-omar (observer)');
  await screenshot(page, 'oidc-viewer');
});

test('a user the station maps to no role is refused', async ({ page }) => {
  await page.goto(station.url);
  await page.getByRole('button', { name: 'Sign in with the hospital' }).click();
  await page.locator('input[name=login]').fill('nobody-nina');
  await page.locator('input[name=password]').fill('any password');
  await page.getByRole('button', { name: 'Sign-in' }).click();
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.locator('#signin-error')).toContainText("no value of the 'cathlab_role' claim maps to a station role");
  await expect(page.locator('#console')).toBeHidden();
  await expect(page.locator('#viewer')).toBeHidden();
});
