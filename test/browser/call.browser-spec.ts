/// <reference lib="dom" />
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ApiClient, createUser, type TestUser } from '../support/api-client.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { launchBrowser, waitForRemoteVideos } from './browser.js';

/** README's screenshot is refreshed on demand (UPDATE_SCREENSHOT=1), not by every run. */
const SCREENSHOT =
  process.env.UPDATE_SCREENSHOT === '1'
    ? resolve(import.meta.dirname, '../../docs/screenshot-call.png')
    : join(tmpdir(), 'meet-screenshot-call.png');

/**
 * The reference client in a real Chromium: two signed-in users and a guest hold a call, chat,
 * mute, a late joiner arrives, someone leaves, and the history lists the meeting.
 */
describe('Reference web client in Chromium', () => {
  let testApp: TestApp;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    testApp = await startTestApp({ env: { BCRYPT_ROUNDS: '4', STUN_URLS: 'stun:127.0.0.1:3478' } });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await testApp?.close();
  });

  async function openPage(user?: TestUser): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    contexts.push(context);
    if (user) {
      // Signed in as the client stores it after its own login form.
      await context.addInitScript(
        ([token, profile]) => {
          localStorage.setItem('meet.token', token);
          localStorage.setItem('meet.user', profile);
        },
        [user.token, JSON.stringify({ id: user.id, name: user.name, username: user.username })],
      );
    }
    const page = await context.newPage();
    page.on('pageerror', (error) => console.warn('page error:', error.message));
    return page;
  }

  async function joinAsGuest(page: Page, code: string, name: string): Promise<void> {
    await page.goto(`${testApp.baseUrl}/meet/${code}`);
    await page.getByLabel('Your name').fill(name);
    await page.getByRole('button', { name: 'Join meeting' }).click();
  }

  it('connects three people, relays chat and media state, welcomes a late joiner, and lets one leave', async () => {
    const api = new ApiClient(testApp);
    const ada = await createUser(api, { name: 'Ada' });
    const grace = await createUser(api, { name: 'Grace' });
    const meeting = await api.post<{ code: string }>(
      '/api/v1/meetings',
      { title: 'Browser call' },
      { token: ada.token },
    );
    const code = meeting.body.code;

    const adaPage = await openPage(ada);
    const gracePage = await openPage(grace);
    const guestPage = await openPage();
    await adaPage.goto(`${testApp.baseUrl}/meet/${code}`);
    await gracePage.goto(`${testApp.baseUrl}/meet/${code}`);
    await joinAsGuest(guestPage, code, 'Guest Linus');

    // Every page plays the other two participants' videos over connected peer connections.
    await Promise.all([adaPage, gracePage, guestPage].map((page) => waitForRemoteVideos(page, 2)));
    await expectNames(adaPage, ['Grace', 'Guest Linus']);
    await expectNames(guestPage, ['Ada', 'Grace']);
    await adaPage.screenshot({ path: SCREENSHOT });

    // Chat from one appears in the others.
    await adaPage.getByRole('textbox', { name: 'Message' }).fill('Hello from Ada');
    await adaPage.getByRole('button', { name: 'Send' }).click();
    for (const page of [gracePage, guestPage]) {
      await page.getByRole('list', { name: 'Chat messages' }).getByText('Hello from Ada').waitFor();
    }

    // Muting shows on the other pages.
    await adaPage.getByRole('button', { name: 'Mute' }).click();
    const adaSocketId = await adaPage.evaluate(
      () => (window as unknown as { __meet: { socket: { id: string } } }).__meet.socket.id,
    );
    await gracePage.locator(`[data-peer="${adaSocketId}"] [data-badge="muted"]`).waitFor();
    await guestPage.locator(`[data-peer="${adaSocketId}"] [data-badge="muted"]`).waitFor();

    // A late joiner sees the earlier chat and gets everyone's video.
    const latePage = await openPage();
    await joinAsGuest(latePage, code, 'Late Lin');
    await latePage
      .getByRole('list', { name: 'Chat messages' })
      .getByText('Hello from Ada')
      .waitFor();
    await waitForRemoteVideos(latePage, 3);

    // One leaves: its tile disappears elsewhere.
    const guestSocketId = await guestPage.evaluate(
      () => (window as unknown as { __meet: { socket: { id: string } } }).__meet.socket.id,
    );
    await guestPage.getByRole('button', { name: 'Leave' }).click();
    for (const page of [adaPage, gracePage, latePage]) {
      await page.locator(`[data-peer="${guestSocketId}"]`).waitFor({ state: 'detached' });
      await waitForRemoteVideos(page, 2);
    }

    // The history page of a signed-in participant lists the meeting.
    await gracePage.getByRole('link', { name: 'History' }).click();
    await gracePage.getByRole('list', { name: 'Meeting history' }).getByText(code).waitFor();
  });

  it('rejoins after a network blip and reconnects the call', async () => {
    const first = await openPage();
    const second = await openPage();
    await joinAsGuest(first, 'blip-room', 'Steady');
    await joinAsGuest(second, 'blip-room', 'Flaky');
    await Promise.all([waitForRemoteVideos(first, 1), waitForRemoteVideos(second, 1)]);
    const socketIdOf = (page: Page): Promise<string> =>
      page.evaluate(
        () => (window as unknown as { __meet: { socket: { id: string } } }).__meet.socket.id,
      );
    const before = await socketIdOf(second);
    // Drop the transport under the page: Socket.IO reconnects by itself with a new socket id.
    await second.evaluate(() =>
      (
        window as unknown as { __meet: { socket: { io: { engine: { close(): void } } } } }
      ).__meet.socket.io.engine.close(),
    );
    await second.waitForFunction(
      (old) => {
        const socket = (
          window as unknown as { __meet?: { socket: { id?: string; connected: boolean } } }
        ).__meet?.socket;
        return socket?.connected === true && socket.id !== old;
      },
      before,
      { timeout: 20_000 },
    );
    await Promise.all([waitForRemoteVideos(first, 1), waitForRemoteVideos(second, 1)]);
    await first.locator(`[data-peer="${before}"]`).waitFor({ state: 'detached' });
  });

  it('signs up and in through the forms and creates a meeting from the home page', async () => {
    const page = await openPage();
    await page.goto(`${testApp.baseUrl}/login`);
    const username = `form${Date.now()}`;
    const signUp = page.getByRole('form', { name: 'Create an account' });
    await signUp.getByLabel('Name', { exact: true }).fill('Form User');
    await signUp.getByLabel('Username', { exact: true }).fill(username);
    await signUp.getByLabel('Password', { exact: true }).fill('form-password-1');
    await signUp.getByRole('button', { name: 'Sign up' }).click();
    await page.getByText('Signed in as Form User').waitFor();
    await page.getByRole('button', { name: 'New meeting' }).click();
    await page.waitForURL(/\/meet\/[a-z]{3}-[a-z]{4}-[a-z]{3}$/);
    await page.getByRole('toolbar', { name: 'Call controls' }).waitFor();
  });
});

async function expectNames(page: Page, names: string[]): Promise<void> {
  for (const name of names) await page.locator('.tile .label', { hasText: name }).first().waitFor();
}
