import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

/**
 * Debian's Chromium (or CHROMIUM_PATH), never a downloaded browser. Missing Chromium is a failure
 * with the fix in its message, not a skipped test.
 */
export function chromiumPath(): string {
  const explicit = process.env['CHROMIUM_PATH'];
  if (explicit) {
    if (!existsSync(explicit)) throw new Error(`CHROMIUM_PATH=${explicit} does not exist. Point it at a Chromium binary.`);
    return explicit;
  }
  const found = CANDIDATES.find((candidate) => existsSync(candidate));
  if (!found) {
    throw new Error(
      'Chromium is not installed (looked for /usr/bin/chromium). Install it with `sudo apt-get install -y chromium` ' +
        '(Debian/Ubuntu), or set CHROMIUM_PATH to a Chromium binary. Browser tests never download one.',
    );
  }
  return found;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/**
 * A page of the console signed in as `username`, with every problem the browser sees recorded in
 * `problems`: page errors, console errors, and answers of 400 or more (but the 401 of "who is
 * signed in?" before sign-in, and those `expected` says are part of the walk).
 */
export async function signedInPage(
  browser: Browser,
  url: string,
  credentials: { username: string; password: string; start?: string },
  problems: string[],
  expected: (status: number, pathname: string) => boolean = () => false,
): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const page = await context.newPage();
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('response', (response) => {
    const pathname = new URL(response.url()).pathname;
    if (response.status() >= 400 && !response.url().endsWith('/api/auth/me') && !expected(response.status(), pathname))
      problems.push(`${response.status()} ${response.request().method()} ${pathname}`);
  });
  page.on('console', (message) => {
    // Failed requests are listed (with their path) by the response listener above.
    if (message.type() === 'error' && !/Failed to load resource/.test(message.text()))
      problems.push(`console: ${message.text()}`);
  });
  await page.goto(`${url}${credentials.start ?? '/'}`);
  await page.getByRole('heading', { name: 'Sign in to Cockpit' }).waitFor();
  await page.getByLabel('Username').fill(credentials.username);
  await page.getByLabel('Password').fill(credentials.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main navigation' }).waitFor();
  return page;
}
