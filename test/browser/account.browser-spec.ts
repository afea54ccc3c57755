/// <reference lib="dom" />
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { ApiClient, createUser, FAST_AUTH_ENV, type TestUser } from '../support/api-client.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { launchBrowser, openPage as openBrowserPage } from './browser.js';

/** What the server or class-validator says, which a user must never be shown as is. */
const RAW_SERVER_TEXT =
  /must be|longer than|shorter than|equal to|bytes in UTF-8|should not|bcrypt|Bad Request|Conflict|HTTP \d{3}|Invalid username/i;
const CODE = 'abc-defg-hij';

/**
 * The reference client's account and home forms in a real Chromium, as a user meets them: the
 * sign-up rules shown up front, mistakes explained in plain words next to their field (the
 * server's refusals too), sign-in returning to the meeting link that asked for it, joining by
 * a code typed or pasted any way, and the site's icon.
 */
describe('Reference web client in Chromium: accounts, sign-in and joining by code', () => {
  let testApp: TestApp;
  let browser: Browser;
  let api: ApiClient;
  const contexts: BrowserContext[] = [];
  const pageErrors = new WeakMap<Page, Error[]>();

  beforeAll(async () => {
    testApp = await startTestApp({ env: FAST_AUTH_ENV });
    browser = await launchBrowser();
    api = new ApiClient(testApp);
  });
  afterEach(async () => {
    for (const context of contexts.splice(0)) await context.close();
  });
  afterAll(async () => {
    await browser?.close();
    await testApp?.close();
  });

  async function openPage(path: string, user?: TestUser): Promise<Page> {
    const opened = await openBrowserPage(browser, { user });
    contexts.push(opened.context);
    pageErrors.set(opened.page, opened.errors);
    await opened.page.goto(`${testApp.baseUrl}${path}`);
    return opened.page;
  }

  /** The text the input's aria-describedby points at: its error, if any, and its hint. */
  function description(input: Locator): Promise<string> {
    return input.evaluate((element) =>
      (element.getAttribute('aria-describedby') ?? '')
        .split(/\s+/)
        .filter(Boolean)
        .map((id) => document.getElementById(id)?.textContent ?? '')
        .join(' '),
    );
  }

  /** Waits for a plain-words error on `input`, and checks it is linked to it and in view. */
  async function expectFieldError(input: Locator, words: string | RegExp): Promise<void> {
    const form = input.locator('xpath=ancestor::form');
    await form.getByRole('alert').filter({ hasText: words }).first().waitFor();
    expect(await input.getAttribute('aria-invalid')).toBe('true');
    expect(await description(input)).toMatch(words);
    const errorId = (await input.getAttribute('aria-describedby'))?.split(' ')[0] ?? '';
    const error = input.page().locator(`[id="${errorId}"]`);
    expect(await error.textContent()).toMatch(words);
    expect(await error.isVisible()).toBe(true);
  }

  async function expectNoRawServerText(page: Page): Promise<void> {
    expect(await page.locator('body').innerText()).not.toMatch(RAW_SERVER_TEXT);
  }

  /** Counts the requests the page sends to `path` (under /api/v1). */
  function countRequests(page: Page, path: string): { count: number } {
    const sent = { count: 0 };
    page.on('request', (request) => {
      if (new URL(request.url()).pathname === `/api/v1${path}`) sent.count += 1;
    });
    return sent;
  }

  function signUpForm(page: Page) {
    const form = page.getByRole('form', { name: 'Create an account' });
    return {
      form,
      name: form.getByLabel('Name', { exact: true }),
      username: form.getByLabel('Username', { exact: true }),
      password: form.getByLabel('Password', { exact: true }),
      submit: () => form.getByRole('button', { name: 'Sign up' }).click(),
    };
  }

  function signInForm(page: Page) {
    const form = page.getByRole('form', { name: 'Sign in' });
    return {
      form,
      username: form.getByLabel('Username', { exact: true }),
      password: form.getByLabel('Password', { exact: true }),
      submit: () => form.getByRole('button', { name: 'Sign in' }).click(),
    };
  }

  it('shows every sign-up rule under its field before anything is submitted', async () => {
    const page = await openPage('/login');
    const signUp = signUpForm(page);
    await signUp.form.waitFor();
    expect(await description(signUp.name)).toMatch(/up to 100 characters/i);
    expect(await description(signUp.username)).toMatch(
      /3 to 32 characters: letters a to z, digits, dots \(\.\), underscores \(_\) or hyphens \(-\)/,
    );
    expect(await description(signUp.password)).toMatch(/at least 8 characters/i);
    for (const input of [signUp.name, signUp.username, signUp.password]) {
      expect(await input.getAttribute('aria-invalid')).toBeNull();
      expect(await input.getAttribute('required')).not.toBeNull();
    }
    for (const hint of ['Up to 100 characters', '3 to 32 characters', 'At least 8 characters']) {
      expect(await signUp.form.getByText(hint).isVisible()).toBe(true);
    }
    expect(await signUp.form.getAttribute('novalidate')).not.toBeNull();
    expect(await signUp.password.getAttribute('autocomplete')).toBe('new-password');
    // The password can be shown to check it, and hidden again.
    const reveal = signUp.form.getByRole('button', { name: 'Show password' });
    await reveal.click();
    expect(await signUp.password.getAttribute('type')).toBe('text');
    expect(await reveal.getAttribute('aria-pressed')).toBe('true');
    await reveal.click();
    expect(await signUp.password.getAttribute('type')).toBe('password');
    expect(pageErrors.get(page)).toEqual([]);
  });

  it('says what is wrong with an empty name, a bad username and a short password, next to each', async () => {
    const page = await openPage('/login');
    const registers = countRequests(page, '/auth/register');
    const signUp = signUpForm(page);
    await signUp.username.fill('ada lovelace');
    await signUp.password.fill('short');
    await signUp.submit();

    await expectFieldError(signUp.name, 'Enter your name.');
    await expectFieldError(signUp.username, /no spaces/);
    await expectFieldError(signUp.password, 'too short: use at least 8 characters');
    // The first field to fix has the focus; nothing was sent.
    expect(await signUp.name.evaluate((element) => element === document.activeElement)).toBe(true);
    expect(registers.count).toBe(0);
    await expectNoRawServerText(page);

    // Leaving a field checks it; fixing a field clears its error as the user types.
    await signUp.username.fill('ad');
    await signUp.username.blur();
    await expectFieldError(signUp.username, 'too short: use at least 3 characters');
    await signUp.username.fill('ada');
    expect(await signUp.username.getAttribute('aria-invalid')).toBeNull();
    expect(await description(signUp.username)).not.toMatch(/too short/);
    expect(pageErrors.get(page)).toEqual([]);
  });

  it('says a taken username is taken, next to Username', async () => {
    const taken = await createUser(api, { name: 'Ada' });
    const page = await openPage('/login');
    const signUp = signUpForm(page);
    await signUp.name.fill('Another Ada');
    await signUp.username.fill(taken.username.toUpperCase());
    await signUp.password.fill('a-fine-password');
    await signUp.submit();
    await expectFieldError(signUp.username, 'That username is taken. Choose another.');
    expect(await signUp.username.evaluate((element) => element === document.activeElement)).toBe(
      true,
    );
    expect(new URL(page.url()).pathname).toBe('/login');
    await expectNoRawServerText(page);
  });

  it('refuses a password over 72 bytes in UTF-8 next to the password field, in plain words', async () => {
    const page = await openPage('/login');
    const registers = countRequests(page, '/auth/register');
    const signUp = signUpForm(page);
    await signUp.name.fill('Euro Fan');
    await signUp.username.fill('euro_fan');
    // 25 characters, 73 bytes: "€" takes three.
    await signUp.password.fill(`a${'€'.repeat(24)}`);
    await signUp.submit();
    await expectFieldError(signUp.password, /too long: it counts as 73 and the most is 72/);
    expect(await description(signUp.password)).not.toMatch(/byte|UTF/i);
    expect(registers.count).toBe(0);
    await expectNoRawServerText(page);
  });

  it("puts the server's refusals in plain words: a field it names, too many tries, no connection", async () => {
    const page = await openPage('/login');
    const signUp = signUpForm(page);
    await signUp.name.fill('Grace');
    await signUp.username.fill('grace');
    await signUp.password.fill('a-fine-password');
    const route = `${testApp.baseUrl}/api/v1/auth/register`;

    // A 400 the client's own rules did not foresee: the field it names, never its text.
    await page.route(route, (request) =>
      request.fulfill({
        status: 400,
        contentType: 'application/json',
        body: JSON.stringify({
          error: 'Bad Request',
          status: 400,
          details: [
            {
              field: 'password',
              message:
                'password must be at most 72 bytes in UTF-8 (longer passwords would be silently truncated by bcrypt)',
            },
          ],
        }),
      }),
    );
    await signUp.submit();
    await expectFieldError(signUp.password, /not accept this password/);
    await expectNoRawServerText(page);

    await page.unroute(route);
    await page.route(route, (request) =>
      request.fulfill({
        status: 429,
        contentType: 'application/json',
        body: JSON.stringify({ error: 'Too Many Requests', status: 429 }),
      }),
    );
    await signUp.submit();
    await signUp.form
      .getByRole('alert')
      .filter({ hasText: 'Too many attempts. Wait a minute and try again.' })
      .waitFor();

    await page.unroute(route);
    await page.route(route, (request) => request.abort('internetdisconnected'));
    await signUp.submit();
    await signUp.form
      .getByRole('alert')
      .filter({ hasText: 'Could not reach the server. Check your connection.' })
      .waitFor();
    await expectNoRawServerText(page);
  });

  it('signs up through the form and lands where ?next= points', async () => {
    const page = await openPage(`/login?next=%2Fmeet%2F${CODE}`);
    await page.getByText(`to join the meeting ${CODE}`).waitFor();
    const signUp = signUpForm(page);
    await signUp.name.fill('  New User  ');
    await signUp.username.fill(`new.user-${Date.now()}`);
    await signUp.password.fill('new-password-1');
    await signUp.submit();
    await page.waitForURL(`${testApp.baseUrl}/meet/${CODE}`);
    const stored = await page.evaluate(() => localStorage.getItem('meet.user'));
    expect(JSON.parse(stored ?? '{}')).toMatchObject({ name: 'New User' });
  });

  it('says a wrong password in plain words, and stays on the sign-in page', async () => {
    const ada = await createUser(api, { name: 'Ada' });
    const page = await openPage('/login');
    const signIn = signInForm(page);
    await signIn.submit();
    await expectFieldError(signIn.username, 'Enter your username.');
    await expectFieldError(signIn.password, 'Enter your password.');

    await signIn.username.fill(ada.username);
    await signIn.password.fill('not-the-password');
    await signIn.submit();
    await signIn.form
      .getByRole('alert')
      .filter({ hasText: 'Wrong username or password.' })
      .waitFor();
    expect(new URL(page.url()).pathname).toBe('/login');
    await expectNoRawServerText(page);
    expect(pageErrors.get(page)).toEqual([]);
  });

  it('returns to the meeting link that asked for sign-in', async () => {
    const ada = await createUser(api, { name: 'Ada' });
    const page = await openPage(`/login?next=/meet/${CODE}`);
    const signIn = signInForm(page);
    await signIn.username.fill(ada.username);
    await signIn.password.fill(ada.password);
    await signIn.submit();
    await page.waitForURL(`${testApp.baseUrl}/meet/${CODE}`);
  });

  it.each(['//evil.example', 'https://evil.example', '/\\evil.example', '/\t/evil.example'])(
    'goes home, not to an off-site next=%s',
    async (next) => {
      const ada = await createUser(api, { name: 'Ada' });
      const page = await openPage(`/login?next=${encodeURIComponent(next)}`);
      const signIn = signInForm(page);
      await signIn.username.fill(ada.username);
      await signIn.password.fill(ada.password);
      await signIn.submit();
      await page.waitForURL(`${testApp.baseUrl}/`);
      await page.getByRole('heading', { name: 'Meetings' }).waitFor();
    },
  );

  it('offers a signed-in user to continue where they were going', async () => {
    const ada = await createUser(api, { name: 'Ada' });
    const page = await openPage('/login?next=%2Fhistory', ada);
    await page.getByText(`You are signed in as Ada (${ada.username}).`).waitFor();
    await page.getByRole('link', { name: 'Continue' }).click();
    await page.waitForURL(`${testApp.baseUrl}/history`);
  });

  it('joins by a code typed in any case, without dashes, or pasted as a link', async () => {
    const page = await openPage('/');
    const join = page.getByRole('form', { name: 'Join by code' });
    const code = join.getByLabel('Meeting code');
    expect(await description(code)).toMatch(/abc-defg-hij, or paste the meeting link/);
    for (const typed of [
      'ABC-DEFG-HIJ',
      'abcdefghij',
      ' abc defg hij ',
      `${testApp.baseUrl}/meet/ABC-DEFG-HIJ`,
    ]) {
      await page.goto(`${testApp.baseUrl}/`);
      await code.fill(typed);
      await join.getByRole('button', { name: 'Join' }).click();
      await page.waitForURL(`${testApp.baseUrl}/meet/${CODE}`);
    }

    await page.goto(`${testApp.baseUrl}/`);
    await code.fill('hello world');
    await join.getByRole('button', { name: 'Join' }).click();
    await expectFieldError(
      code,
      'That is not a meeting code. Codes look like abc-defg-hij, or paste the meeting link.',
    );
    expect(page.url()).toBe(`${testApp.baseUrl}/`);
    expect(await code.evaluate((element) => element === document.activeElement)).toBe(true);
  });

  it('explains a passcode of the wrong length next to it before creating the meeting', async () => {
    const ada = await createUser(api, { name: 'Ada' });
    const page = await openPage('/', ada);
    const create = page.getByRole('form', { name: 'Start a meeting' });
    await create.getByLabel('Passcode (optional)').fill('abc');
    await create.getByRole('button', { name: 'New meeting' }).click();
    await expectFieldError(create.getByLabel('Passcode (optional)'), /too short: use at least 4/);
    expect(page.url()).toBe(`${testApp.baseUrl}/`);
    await create.getByLabel('Passcode (optional)').fill('abcd');
    await create.getByRole('button', { name: 'New meeting' }).click();
    await page.waitForURL(/\/meet\/[a-z]{3}-[a-z]{4}-[a-z]{3}$/);
  });

  it('shows errors with 4.5:1 contrast in the light and the dark scheme', async () => {
    const page = await openPage('/login');
    const signIn = signInForm(page);
    await signIn.submit();
    await expectFieldError(signIn.username, 'Enter your username.');
    const error = signIn.form.getByRole('alert').filter({ hasText: 'Enter your username.' });
    // Chromium's canvas: white, and #121212 in the dark scheme.
    for (const [scheme, canvas] of [
      ['light', [255, 255, 255]],
      ['dark', [18, 18, 18]],
    ] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      const color = await error.evaluate((element) => getComputedStyle(element).color);
      const rgb = (color.match(/\d+/g) ?? []).slice(0, 3).map(Number);
      expect(contrast(rgb, [...canvas])).toBeGreaterThanOrEqual(4.5);
    }
  });

  it('serves a favicon', async () => {
    const ico = await testApp.http('/favicon.ico');
    expect(ico.status).toBe(200);
    expect(ico.headers.get('content-type')).toMatch(/^image\//);
    const bytes = new Uint8Array(await ico.arrayBuffer());
    // An ICONDIR: reserved 0, type 1 (icon), at least one image.
    expect([...bytes.slice(0, 4)]).toEqual([0, 0, 1, 0]);
    expect(bytes[4]).toBeGreaterThan(0);
    const svg = await testApp.http('/favicon.svg');
    expect(svg.status).toBe(200);
    expect(svg.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    const page = await openPage('/');
    expect(await page.locator('link[rel="icon"]').count()).toBe(2);
  });
});

/** WCAG 2 contrast ratio of two sRGB colours. */
function contrast(a: number[], b: number[]): number {
  const luminance = (rgb: number[]) => {
    const [r, g, bl] = rgb.map((channel) => {
      const c = channel / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (light + 0.05) / (dark + 0.05);
}
