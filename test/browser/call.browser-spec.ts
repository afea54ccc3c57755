/// <reference lib="dom" />
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ApiClient, createUser, type TestUser } from '../support/api-client.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import {
  joinAsGuest as joinMeetingAsGuest,
  joinSignedIn,
  launchBrowser,
  leaveCall,
  openPage as openBrowserPage,
  registerMeeting,
  selfId,
  waitForRemoteVideos,
} from './browser.js';

/**
 * The reference client in a real Chromium: two signed-in users and a guest hold a call, chat,
 * mute, a late joiner arrives, someone leaves, and the history lists the meeting.
 */
describe('Reference web client in Chromium', () => {
  let testApp: TestApp;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const pageErrors = new WeakMap<Page, Error[]>();

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
    const opened = await openBrowserPage(browser, { user });
    contexts.push(opened.context);
    pageErrors.set(opened.page, opened.errors);
    return opened.page;
  }

  function joinAsGuest(page: Page, code: string, name: string): Promise<void> {
    return joinMeetingAsGuest(page, testApp.baseUrl, code, name);
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
    await joinSignedIn(adaPage, testApp.baseUrl, code);
    await joinSignedIn(gracePage, testApp.baseUrl, code);
    await joinAsGuest(guestPage, code, 'Guest Linus');

    // Every page plays the other two participants' videos over connected peer connections.
    await Promise.all([adaPage, gracePage, guestPage].map((page) => waitForRemoteVideos(page, 2)));
    await expectNames(adaPage, ['Grace', 'Guest Linus']);
    await expectNames(guestPage, ['Ada', 'Grace']);

    // Chat from one appears in the others.
    await adaPage.getByRole('textbox', { name: 'Message' }).fill('Hello from Ada');
    await adaPage.getByRole('button', { name: 'Send' }).click();
    for (const page of [gracePage, guestPage]) {
      await page.getByRole('list', { name: 'Chat messages' }).getByText('Hello from Ada').waitFor();
    }

    // Muting shows on the other pages.
    await adaPage.getByRole('button', { name: 'Mute' }).click();
    const adaSocketId = await selfId(adaPage);
    await gracePage.locator(`[data-peer="${adaSocketId}"] [data-badge="muted"]`).waitFor();
    await guestPage.locator(`[data-peer="${adaSocketId}"] [data-badge="muted"]`).waitFor();

    // A late joiner sees the earlier chat, gets everyone's video and their media state: Ada
    // muted, Grace as she joined (nothing to flag).
    const latePage = await openPage();
    await joinAsGuest(latePage, code, 'Late Lin');
    await latePage
      .getByRole('list', { name: 'Chat messages' })
      .getByText('Hello from Ada')
      .waitFor();
    await waitForRemoteVideos(latePage, 3);
    await latePage.locator(`[data-peer="${adaSocketId}"] [data-badge="muted"]`).waitFor();
    const graceSocketId = await selfId(gracePage);
    expect(await latePage.locator(`[data-peer="${graceSocketId}"] [data-badge]`).count()).toBe(0);

    // One leaves: its tile disappears elsewhere.
    const guestSocketId = await selfId(guestPage);
    await leaveCall(guestPage);
    await guestPage.locator('#left').getByText('You left the meeting').waitFor();
    for (const page of [adaPage, gracePage, latePage]) {
      await page.locator(`[data-peer="${guestSocketId}"]`).waitFor({ state: 'detached' });
      await waitForRemoteVideos(page, 2);
    }

    // The history page of a signed-in participant lists the meeting.
    // Leaving the call by a link asks first.
    await gracePage.getByRole('link', { name: 'History' }).click();
    await gracePage
      .getByRole('dialog', { name: 'Leave the meeting?' })
      .getByRole('button', { name: 'Leave meeting' })
      .click();
    await gracePage.getByRole('list', { name: 'Meeting history' }).getByText(code).waitFor();
  });

  it('keeps the call through a 5 s network drop: same id, videos keep playing, nobody sees it leave', async () => {
    const first = await openPage();
    const second = await openPage();
    const code = await registerMeeting(testApp);
    await joinAsGuest(first, code, 'Steady');
    await joinAsGuest(second, code, 'Flaky');
    await Promise.all([waitForRemoteVideos(first, 1), waitForRemoteVideos(second, 1)]);
    const before = await selfId(second);
    const firstId = await selfId(first);
    // Everything the steady page hears about the flaky one.
    await first.evaluate(() => {
      (window as unknown as { leftTiles: number }).leftTiles = 0;
      new MutationObserver((records) => {
        for (const record of records)
          for (const node of record.removedNodes)
            if (node instanceof HTMLElement && node.matches('.tile[data-peer]'))
              (window as unknown as { leftTiles: number }).leftTiles += 1;
      }).observe(document.body, { childList: true, subtree: true });
    });
    const playedAt = (page: Page, peer: string) =>
      page.evaluate(
        (id) =>
          document.querySelector<HTMLVideoElement>(`[data-peer="${id}"] video`)?.currentTime ?? -1,
        peer,
      );

    // Chromium's network emulation takes the page offline: it closes the open WebSocket at
    // once and fails every new connection until the page is back online. The Network domain
    // is enabled on this session so that this does not rest on Playwright's own session.
    const cdp = await second.context().newCDPSession(second);
    await cdp.send('Network.enable');
    const online = { latency: 0, downloadThroughput: -1, uploadThroughput: -1 };
    await cdp.send('Network.emulateNetworkConditions', { offline: true, ...online });
    await second.locator('[data-self]').waitFor({ state: 'detached', timeout: 10_000 });
    // The page says so...
    await second.locator('#reconnecting[role="status"]').waitFor({ state: 'visible' });
    // ...and the others are told it is reconnecting, and keep its tile and its video.
    await first.locator(`[data-peer="${before}"][data-reconnecting]`).waitFor({ timeout: 10_000 });
    const [firstSees, secondSees] = [
      await playedAt(first, before),
      await playedAt(second, firstId),
    ];
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    expect(await playedAt(first, before)).toBeGreaterThan(firstSees + 2);
    expect(await playedAt(second, firstId)).toBeGreaterThan(secondSees + 2);
    await cdp.send('Network.emulateNetworkConditions', { offline: false, ...online });

    // Socket.IO recovers the connection: the same socket id, in the room, with its peers.
    expect(await selfId(second, undefined, 20_000)).toBe(before);
    expect(await second.locator('#reconnecting').isVisible()).toBe(false);
    await first.locator(`[data-peer="${before}"]:not([data-reconnecting])`).waitFor();
    await Promise.all([waitForRemoteVideos(first, 1), waitForRemoteVideos(second, 1)]);
    expect(await first.evaluate(() => (window as unknown as { leftTiles: number }).leftTiles)).toBe(
      0,
    );
    expect(pageErrors.get(second)).toEqual([]);
  });

  it('keeps Mute and Raise hand pressed while the page joins, and announces them once in', async () => {
    const present = await openPage();
    const code = await registerMeeting(testApp);
    await joinAsGuest(present, code, 'Present');
    await selfId(present);

    // The page shows its controls, then fetches the ICE servers before it connects: hold that
    // response so the clicks land before the page is in the room.
    const page = await openPage();
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let requested!: () => void;
    const held = new Promise<void>((resolve) => (requested = resolve));
    await page.route('**/api/v1/ice-servers', async (route) => {
      requested();
      await released;
      await route.continue();
    });
    await joinAsGuest(page, code, 'Early');
    await held;
    await page.getByRole('button', { name: 'Mute' }).click();
    await page.getByRole('button', { name: 'Raise hand' }).click();
    expect(await page.locator('[data-self]').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Send' }).isDisabled()).toBe(true);
    release();

    const id = await selfId(page);
    await present.locator(`[data-peer="${id}"] [data-badge="muted"]`).waitFor();
    await present.locator(`[data-peer="${id}"] [data-badge="hand"]`).waitFor();
    // The button says what it will do now that the page is muted.
    await page.getByRole('button', { name: 'Unmute' }).waitFor();
    expect(await page.getByRole('button', { name: 'Send' }).isEnabled()).toBe(true);
    await Promise.all([waitForRemoteVideos(present, 1), waitForRemoteVideos(page, 1)]);
    expect(pageErrors.get(page)).toEqual([]);
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
    await page.getByRole('button', { name: 'Join meeting' }).click();
    await page.getByRole('toolbar', { name: 'Call controls' }).waitFor();
  });
});

async function expectNames(page: Page, names: string[]): Promise<void> {
  for (const name of names) await page.locator('.tile .label', { hasText: name }).first().waitFor();
}
