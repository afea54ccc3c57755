/// <reference lib="dom" />
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ApiClient, createUser, FAST_AUTH_ENV, type TestUser } from '../support/api-client.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import {
  joinAsGuest,
  joinSignedIn,
  launchBrowser,
  leaveCall,
  openPage as openBrowserPage,
  registerMeeting,
  selfId,
  waitForRemoteVideos,
} from './browser.js';

/** README's screenshots are refreshed on demand (UPDATE_SCREENSHOT=1), not by every run. */
function screenshotPath(name: string): string {
  return process.env.UPDATE_SCREENSHOT === '1'
    ? resolve(import.meta.dirname, `../../docs/screenshot-${name}.png`)
    : join(tmpdir(), `meet-screenshot-${name}.png`);
}

const PHONE = { width: 390, height: 844 };

/**
 * The reference client as a new user finds it: the pre-join screen, honest call state, people
 * and notifications, a layout that fits desktop and phone, and the flows around a call.
 */
describe('Reference web client in Chromium: what a user notices', () => {
  let testApp: TestApp;
  let browser: Browser;
  let api: ApiClient;
  const contexts: BrowserContext[] = [];
  const pageErrors = new WeakMap<Page, Error[]>();

  beforeAll(async () => {
    testApp = await startTestApp({ env: { ...FAST_AUTH_ENV } });
    api = new ApiClient(testApp);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await testApp?.close();
  });

  async function openPage(options: { user?: TestUser; phone?: boolean } = {}): Promise<Page> {
    const opened = await openBrowserPage(browser, {
      user: options.user,
      captureStreams: true,
      ...(options.phone ? { viewport: PHONE, isMobile: true } : {}),
    });
    contexts.push(opened.context);
    pageErrors.set(opened.page, opened.errors);
    return opened.page;
  }

  /** The capture tracks the page opened that are still live, by kind. */
  function liveTracks(page: Page): Promise<{ audio: number; video: number; screen: number }> {
    return page.evaluate(() => {
      const live = (window.capturedStreams ?? [])
        .flatMap((stream) => stream.getTracks())
        .filter((track) => track.readyState === 'live');
      const screen = live.filter(
        (track) => (track.getSettings() as { displaySurface?: string }).displaySurface,
      );
      return {
        audio: live.filter((track) => track.kind === 'audio').length,
        video: live.filter((track) => track.kind === 'video').length - screen.length,
        screen: screen.length,
      };
    });
  }

  /** Closes every notification with its close button (a clean screenshot). */
  async function dismissToasts(page: Page): Promise<void> {
    await page.evaluate(() => {
      for (const close of document.querySelectorAll<HTMLButtonElement>('#toasts .close'))
        close.click();
    });
    await page.locator('#toasts .toast').first().waitFor({ state: 'detached' });
  }

  function toolbar(page: Page) {
    return page.getByRole('toolbar', { name: 'Call controls' });
  }

  function toast(page: Page, text: string | RegExp) {
    return page.locator('#toasts .toast', { hasText: text });
  }

  it("pre-join: a preview with switches and devices; the choices and a guest's name survive a reload, which never unmutes", async () => {
    const ada = await createUser(api, { name: 'Ada' });
    const code = await registerMeeting(testApp, { title: 'Pre-join check' }, ada);
    const host = await openPage({ user: ada });
    await joinSignedIn(host, testApp.baseUrl, code);
    await selfId(host);

    const guest = await openPage();
    await guest.goto(`${testApp.baseUrl}/meet/${code}`);
    const prejoin = guest.locator('#prejoin');
    await prejoin.getByRole('heading', { name: 'Pre-join check' }).waitFor();
    await prejoin.getByText('The meeting has started.').waitFor();
    // Nothing is sent before Join: the preview plays the camera on this page only.
    await guest.waitForFunction(
      () => (document.querySelector<HTMLVideoElement>('.preview video')?.videoWidth ?? 0) > 0,
    );
    // The device pickers are in view, no disclosure to open first.
    const cameras = guest.getByRole('combobox', { name: 'Camera', exact: true });
    await cameras.locator('option').first().waitFor({ state: 'attached' });
    expect(await cameras.isVisible()).toBe(true);
    expect(await cameras.locator('option').count()).toBeGreaterThan(0);
    expect(await guest.getByLabel('Microphone').locator('option').count()).toBeGreaterThan(0);
    await guest.screenshot({ path: screenshotPath('prejoin') });

    await guest.getByLabel('Your name').fill('Grace Hopper');
    await prejoin.getByRole('button', { name: 'Mute' }).click();
    await prejoin.getByRole('button', { name: 'Unmute' }).waitFor();
    await prejoin.getByRole('button', { name: 'Stop camera' }).click();
    await prejoin.getByRole('button', { name: 'Start camera' }).waitFor();
    // The camera is released (its light goes off); the preview shows the initials instead.
    await guest.waitForFunction(() =>
      (window.capturedStreams ?? []).every((stream) =>
        stream.getVideoTracks().every((track) => track.readyState === 'ended'),
      ),
    );
    await guest.locator('.preview.no-video .avatar', { hasText: 'GH' }).waitFor();

    // A reload: the same choices, the name remembered, still muted, the camera not opened.
    await guest.reload();
    await prejoin.getByRole('button', { name: 'Unmute' }).waitFor();
    await prejoin.getByRole('button', { name: 'Start camera' }).waitFor();
    expect(await guest.getByLabel('Your name').inputValue()).toBe('Grace Hopper');
    expect((await liveTracks(guest)).video).toBe(0);
    await guest.getByRole('button', { name: 'Join meeting' }).click();

    // In the call as chosen: muted (the microphone track is off) and camera off, which the
    // host sees as badges and an avatar, and the guest sees on their own tile.
    const guestId = await selfId(guest);
    const remote = host.locator(`[data-peer="${guestId}"]`);
    await remote.locator('[data-badge="muted"]').waitFor();
    await remote.locator('[data-badge="camera-off"]').waitFor();
    await host.locator(`[data-peer="${guestId}"].no-video .avatar`, { hasText: 'GH' }).waitFor();
    await guest.locator('[data-local] [data-badge="muted"]').waitFor();
    await guest.locator('[data-local] [data-badge="camera-off"]').waitFor();
    await toolbar(guest).getByRole('button', { name: 'Unmute' }).waitFor();
    expect(
      await guest.evaluate(() =>
        (window.capturedStreams ?? [])
          .flatMap((stream) => stream.getAudioTracks())
          .filter((track) => track.readyState === 'live')
          .every((track) => !track.enabled),
      ),
    ).toBe(true);
    expect(pageErrors.get(guest)).toEqual([]);
  });

  it('joins without a microphone or camera (blocked): sees and hears the others, who see its initials', async () => {
    const ada = await createUser(api, { name: 'Ada' });
    const code = await registerMeeting(testApp, {}, ada);
    const host = await openPage({ user: ada });
    await joinSignedIn(host, testApp.baseUrl, code);
    await selfId(host);
    const blocked = await openPage();
    await blocked.addInitScript(() => {
      navigator.mediaDevices.getUserMedia = () =>
        Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
    });
    await blocked.goto(`${testApp.baseUrl}/meet/${code}`);
    await blocked
      .locator('#prejoin')
      .getByText('The browser blocked the camera and microphone')
      .waitFor();
    await blocked.getByLabel('Your name').fill('No Devices');
    await blocked.getByRole('button', { name: 'Join meeting' }).click();
    // It offers to receive though it sends nothing: the host's video plays on its page.
    await waitForRemoteVideos(blocked, 1);
    const id = await selfId(blocked);
    await host.locator(`[data-peer="${id}"].no-video .avatar`, { hasText: 'ND' }).waitFor();
    await host.locator(`[data-peer="${id}"][data-connection="connected"]`).waitFor();
    expect(pageErrors.get(blocked)).toEqual([]);
  });

  it('honest call state: buttons say what they will do, a shared screen is shown large, and stopping or leaving ends every capture', async () => {
    const ada = await createUser(api, { name: 'Ada' });
    const code = await registerMeeting(testApp, { title: 'Screen share' }, ada);
    const host = await openPage({ user: ada });
    const guest = await openPage();
    await joinSignedIn(host, testApp.baseUrl, code);
    await joinAsGuest(guest, testApp.baseUrl, code, 'Linus');
    await Promise.all([waitForRemoteVideos(host, 1), waitForRemoteVideos(guest, 1)]);
    const guestId = await selfId(guest);

    await toolbar(guest).getByRole('button', { name: 'Raise hand' }).click();
    await toolbar(guest).getByRole('button', { name: 'Lower hand' }).waitFor();
    await guest.locator('[data-local] [data-badge="hand"]').waitFor();
    await host.locator(`[data-peer="${guestId}"] [data-badge="hand"]`).waitFor();
    await toast(host, 'Linus raised their hand').waitFor();
    await toolbar(guest).getByRole('button', { name: 'Lower hand' }).click();
    await host
      .locator(`[data-peer="${guestId}"] [data-badge="hand"]`)
      .waitFor({ state: 'detached' });

    await toolbar(guest).getByRole('button', { name: 'Share screen' }).click();
    await toolbar(guest).getByRole('button', { name: 'Stop sharing' }).waitFor();
    await guest.locator('[data-local] [data-badge="screen"]').waitFor();
    // The others see the screen large, the cameras in a strip.
    await host.locator(`.spotlight [data-peer="${guestId}"]`).waitFor();
    await host.locator('.strip [data-local]').waitFor();
    expect((await liveTracks(guest)).screen).toBe(1);
    await host.waitForTimeout(1_000);
    await dismissToasts(host);
    await host.screenshot({ path: screenshotPath('call') });

    await toolbar(guest).getByRole('button', { name: 'Stop sharing' }).click();
    await toolbar(guest).getByRole('button', { name: 'Share screen' }).waitFor();
    await guest.waitForFunction(
      () =>
        !(window.capturedStreams ?? [])
          .flatMap((stream) => stream.getTracks())
          .some(
            (track) =>
              track.readyState === 'live' &&
              (track.getSettings() as { displaySurface?: string }).displaySurface,
          ),
    );
    await host.locator('.spotlight').waitFor({ state: 'detached' });
    await waitForRemoteVideos(host, 1);

    // Sharing again, then leaving: nothing keeps capturing.
    await toolbar(guest).getByRole('button', { name: 'Share screen' }).click();
    await host.locator(`.spotlight [data-peer="${guestId}"]`).waitFor();
    await leaveCall(guest);
    await guest.locator('#left').getByText('You left the meeting').waitFor();
    expect(await liveTracks(guest)).toEqual({ audio: 0, video: 0, screen: 0 });
    await host.locator(`[data-peer="${guestId}"]`).waitFor({ state: 'detached' });
    expect(pageErrors.get(guest)).toEqual([]);
  });

  it('people and notifications: the count, raised hands in order, who speaks, toasts and unread chat; the grid fits the window', async () => {
    const ada = await createUser(api, { name: 'Ada' });
    const grace = await createUser(api, { name: 'Grace' });
    const code = await registerMeeting(testApp, { title: 'People' }, ada);
    const host = await openPage({ user: ada });
    const member = await openPage({ user: grace });
    const guest = await openPage();
    await joinSignedIn(host, testApp.baseUrl, code);
    await selfId(host);
    await joinSignedIn(member, testApp.baseUrl, code);
    await toast(host, 'Grace joined').waitFor();
    await joinAsGuest(guest, testApp.baseUrl, code, 'Linus');
    await toast(host, 'Linus joined').waitFor();
    await Promise.all([host, member, guest].map((page) => waitForRemoteVideos(page, 2)));
    const [memberId, guestId] = [await selfId(member), await selfId(guest)];

    // Every tile in view, nothing to scroll, the toolbar on screen.
    const fits = (count: number) =>
      host.evaluate((expected) => {
        const stage = document.querySelector('.stage')?.getBoundingClientRect();
        const bar = document.querySelector('[role="toolbar"]')?.getBoundingClientRect();
        const tiles = [...document.querySelectorAll('.tile')].map((tile) =>
          tile.getBoundingClientRect(),
        );
        return (
          stage !== undefined &&
          bar !== undefined &&
          document.documentElement.scrollHeight <= innerHeight &&
          bar.bottom <= innerHeight &&
          tiles.length === expected &&
          tiles.every(
            (tile) =>
              tile.width > 100 &&
              tile.left >= stage.left - 1 &&
              tile.right <= stage.right + 1 &&
              tile.top >= stage.top - 1 &&
              tile.bottom <= stage.bottom + 1,
          )
        );
      }, count);
    expect(await fits(3)).toBe(true);
    // The grid's sizing keeps any number of tiles the server could allow within the stage.
    const overflows = await host.evaluate(async () => {
      const module = '/call/call-view.js';
      const { bestGrid } = (await import(module)) as {
        bestGrid: (n: number, w: number, h: number) => { columns: number; tileWidth: number };
      };
      const stage = document.querySelector('.stage')?.getBoundingClientRect();
      const bad = [];
      for (let n = 1; n <= 1000; n++) {
        const { columns, tileWidth } = bestGrid(n, stage?.width ?? 0, stage?.height ?? 0);
        const rows = Math.ceil(n / columns);
        const width = columns * tileWidth + (columns - 1) * 8;
        const height = (rows * (tileWidth * 9)) / 16 + (rows - 1) * 8;
        if (width > (stage?.width ?? 0) + 1 || height > (stage?.height ?? 0) + 1) bad.push(n);
      }
      return bad;
    });
    expect(overflows).toEqual([]);

    // Raised hands come first in the list, in the order they went up, with a badge.
    await toolbar(guest).getByRole('button', { name: 'Raise hand' }).click();
    await toast(host, 'Linus raised their hand').waitFor();
    await toolbar(member).getByRole('button', { name: 'Raise hand' }).click();
    await toast(host, 'Grace raised their hand').waitFor();
    await toolbar(host).getByRole('button', { name: 'Participants (3)' }).click();
    const people = host.locator('#participants li');
    await host
      .locator(`#participants li[data-participant="${memberId}"] [data-badge="hand"]`)
      .waitFor();
    expect(
      await people.evaluateAll((items) =>
        items.map((item) => item.getAttribute('data-participant')),
      ),
    ).toEqual([guestId, memberId, await selfId(host)]);

    // Chat while the chat is closed: a notification and an unread count, cleared on opening.
    await member.getByRole('textbox', { name: 'Message' }).fill('psst');
    await member.getByRole('button', { name: 'Send' }).click();
    await toast(host, 'Grace: psst').waitFor();
    await toolbar(host).getByRole('button', { name: 'Chat 1 unread' }).waitFor();
    await toolbar(host).getByRole('button', { name: /^Chat/ }).click();
    const message = host
      .getByRole('list', { name: 'Chat messages' })
      .locator('li', { hasText: 'psst' });
    await message.waitFor();
    expect(await message.locator('time').getAttribute('datetime')).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(await host.locator('.tool .count').isVisible()).toBe(false);
    // The Send button is whole, inside the window.
    const send = await host.getByRole('button', { name: 'Send' }).boundingBox();
    expect(send).not.toBeNull();
    expect((send?.x ?? 0) + (send?.width ?? 0)).toBeLessThanOrEqual(1280);
    expect((send?.y ?? 0) + (send?.height ?? 0)).toBeLessThanOrEqual(800);

    // The fake microphones beep: a speaking participant gets the ring.
    await host.locator('.tile[data-speaking]').first().waitFor({ timeout: 15_000 });

    // Pin a tile: it is shown large; unpin: the grid again. Full screen and back.
    await host.getByRole('button', { name: 'Pin Grace' }).click();
    await host.locator(`.spotlight [data-peer="${memberId}"]`).waitFor();
    await host.getByRole('button', { name: 'Unpin Grace' }).click();
    await host.locator('.spotlight').waitFor({ state: 'detached' });
    await toolbar(host).getByRole('button', { name: 'Full screen' }).click();
    await toolbar(host).getByRole('button', { name: 'Exit full screen' }).waitFor();
    expect(await host.evaluate(() => document.fullscreenElement !== null)).toBe(true);
    await toolbar(host).getByRole('button', { name: 'Exit full screen' }).click();
    await toolbar(host).getByRole('button', { name: 'Full screen' }).waitFor();

    await leaveCall(guest);
    await toast(host, 'Linus left').waitFor();
    await host.locator(`[data-peer="${guestId}"]`).waitFor({ state: 'detached' });
    expect(await fits(2)).toBe(true);
    expect(pageErrors.get(host)).toEqual([]);
  });

  it('on a phone: the toolbar stays pinned at the bottom, chat is a sheet, and messages never scroll the page', async () => {
    const ada = await createUser(api, { name: 'Ada' });
    const code = await registerMeeting(testApp, { title: 'Phone' }, ada);
    const host = await openPage({ user: ada });
    const phone = await openPage({ phone: true });
    await joinSignedIn(host, testApp.baseUrl, code);
    await joinAsGuest(phone, testApp.baseUrl, code, 'Mobile Mo');
    await Promise.all([waitForRemoteVideos(host, 1), waitForRemoteVideos(phone, 1)]);

    const geometry = () =>
      phone.evaluate(() => {
        const bar = document.querySelector('[role="toolbar"]')?.getBoundingClientRect();
        const tiles = [...document.querySelectorAll('.tile')].map((tile) =>
          tile.getBoundingClientRect(),
        );
        return {
          scrollY: window.scrollY,
          pageTaller: document.documentElement.scrollHeight > innerHeight,
          barBottom: bar?.bottom ?? 0,
          barWraps: (bar?.height ?? 0) > 80,
          innerHeight,
          tileMargin: Math.max(
            ...tiles.map((tile) => Math.max(tile.left, innerWidth - tile.right)),
          ),
        };
      });
    const before = await geometry();
    expect(before.barBottom).toBeCloseTo(before.innerHeight, 0);
    expect(before.pageTaller).toBe(false);
    expect(before.barWraps).toBe(false);
    expect(before.tileMargin).toBeLessThan(16);
    // The chat is closed on a phone; messages arrive as notifications and a count.
    expect(await phone.locator('#chat').isVisible()).toBe(false);
    for (let i = 1; i <= 12; i++) {
      await host.getByRole('textbox', { name: 'Message' }).fill(`message ${i}`);
      await host.getByRole('button', { name: 'Send' }).click();
    }
    await toolbar(phone).getByRole('button', { name: 'Chat 12 unread' }).waitFor();
    // One notification for the chat, the latest message, not twelve.
    await toast(phone, 'Ada: message 12').waitFor();
    expect(await toast(phone, /^Ada: message/).count()).toBe(1);
    await toolbar(phone).getByRole('button', { name: /^Chat/ }).click();
    const sheet = phone.locator('#chat');
    await sheet.getByText('message 12').waitFor();
    const after = await geometry();
    expect(after.scrollY).toBe(0);
    expect(after.barBottom).toBeCloseTo(before.barBottom, 0);
    // The sheet sits above the toolbar, and the newest message is in view.
    const [sheetBox, barBox, lastBox] = await Promise.all([
      sheet.boundingBox(),
      toolbar(phone).boundingBox(),
      sheet.getByText('message 12').boundingBox(),
    ]);
    expect((sheetBox?.y ?? 0) + (sheetBox?.height ?? 0)).toBeLessThanOrEqual((barBox?.y ?? 0) + 1);
    expect((lastBox?.y ?? 0) + (lastBox?.height ?? 0)).toBeLessThanOrEqual(
      (sheetBox?.y ?? 0) + (sheetBox?.height ?? 0),
    );
    await host.getByRole('textbox', { name: 'Message' }).fill('one more');
    await host.getByRole('button', { name: 'Send' }).click();
    await sheet.getByText('one more').waitFor();
    expect((await geometry()).scrollY).toBe(0);
    await phone.getByRole('button', { name: 'Close chat' }).click();
    // Signed in on a phone, the top bar keeps to one line.
    const signedIn = await openPage({ user: ada, phone: true });
    await signedIn.goto(`${testApp.baseUrl}/`);
    await signedIn.getByRole('link', { name: 'History' }).waitFor();
    const bar = await signedIn.locator('header.topbar').boundingBox();
    expect(bar?.height ?? 100).toBeLessThan(56);
    await phone.waitForTimeout(500);
    await dismissToasts(phone);
    await phone.screenshot({ path: screenshotPath('phone') });
    expect(pageErrors.get(phone)).toEqual([]);
  });

  it('flows: codes in capitals, unknown codes, signing in from a link, leaving and rejoining, a session ended elsewhere', async () => {
    const bob = await createUser(api, { name: 'Bob' });
    const code = await registerMeeting(testApp, { title: 'Flows' });
    const page = await openPage();

    // A code in capitals is the meeting: its title shows, the address is the code's.
    await page.goto(`${testApp.baseUrl}/meet/${code.toUpperCase()}`);
    await page.locator('#prejoin').getByRole('heading', { name: 'Flows' }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/meet/${code}`);

    // An unknown code is said to be one, and is not joined.
    await page.goto(`${testApp.baseUrl}/meet/zzz-zzzz-zzz`);
    await page
      .locator('#no-such-meeting')
      .getByRole('heading', { name: 'No such meeting' })
      .waitFor();
    expect(await page.getByRole('toolbar', { name: 'Call controls' }).count()).toBe(0);
    await page.goto(`${testApp.baseUrl}/meet/not-a-meeting`);
    await page.locator('#no-such-meeting').waitFor();

    // Signing in from the meeting's pre-join screen comes back to it.
    await page.goto(`${testApp.baseUrl}/meet/${code}`);
    await page.locator('#prejoin').getByRole('link', { name: 'Sign in' }).click();
    await page.waitForURL(/\/login/);
    const signIn = page.getByRole('form', { name: 'Sign in' });
    await signIn.getByLabel('Username').fill(bob.username);
    await signIn.getByLabel('Password', { exact: true }).fill(bob.password);
    await signIn.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${testApp.baseUrl}/meet/${code}`);
    await page.getByText('Joining as Bob.').waitFor();
    await page.getByRole('button', { name: 'Join meeting' }).click();
    const first = await selfId(page);
    const history = await api.get<{ items: { meetingCode: string }[] }>(
      '/api/v1/meetings/history',
      { token: bob.token },
    );
    expect(history.body.items.map((item) => item.meetingCode)).not.toContain('zzz-zzzz-zzz');

    // A link away from the call asks first; Cancel keeps the call.
    await page.getByRole('link', { name: 'History' }).click();
    const dialog = page.getByRole('dialog', { name: 'Leave the meeting?' });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect(new URL(page.url()).pathname).toBe(`/meet/${code}`);
    expect(await selfId(page)).toBe(first);
    // So does the back button; staying puts the meeting's address back.
    await page.evaluate(() => window.history.back());
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await page.waitForURL(`${testApp.baseUrl}/meet/${code}`);
    expect(await selfId(page)).toBe(first);

    // Leave, confirmed: a "You left" screen; Rejoin is straight back in.
    await leaveCall(page);
    await page.locator('#left').getByRole('heading', { name: 'You left the meeting' }).waitFor();
    await page.getByRole('button', { name: 'Rejoin' }).click();
    await selfId(page, first);

    // Signed out in another tab: the call ends with a screen that says so, not a frozen call.
    const token = await page.evaluate(() => localStorage.getItem('meet.token'));
    const signedOut = await api.post('/api/v1/auth/logout', {}, { token: token ?? '' });
    expect(signedOut.status).toBeLessThan(300);
    await page
      .locator('#signed-out')
      .getByRole('heading', { name: 'You were signed out' })
      .waitFor();
    expect(await page.locator('#reconnecting').isVisible()).toBe(false);
    await page.getByRole('navigation').getByRole('link', { name: 'Sign in' }).waitFor();
    expect(await liveTracks(page)).toEqual({ audio: 0, video: 0, screen: 0 });
    expect(pageErrors.get(page)).toEqual([]);
  });
});
