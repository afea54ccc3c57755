/// <reference lib="dom" />
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ApiClient, createUser, FAST_AUTH_ENV, type TestUser } from '../support/api-client.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import {
  joinAsGuest,
  joinSignedIn,
  launchBrowser,
  openPage as openBrowserPage,
  registerMeeting,
  selfId,
  waitForRemoteVideos,
} from './browser.js';

declare global {
  interface Window {
    /** Every notification the page showed, in order (see recordToasts). */
    toastsSeen?: string[];
  }
}

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

/**
 * What a user trips over once the call works: a reload or a closed tab that leaves a ghost
 * behind, pages that open scrolled, notifications over the chat on a phone, device pickers
 * behind a click, going offline unnoticed, and not seeing your own shared screen.
 */
describe('Reference web client in Chromium: polish', () => {
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
  // Each test's pages go with it: a few calls' fake cameras at once slow the next test down.
  afterEach(async () => {
    for (const context of contexts.splice(0)) await context.close().catch(() => undefined);
  });
  afterAll(async () => {
    await browser?.close();
    await testApp?.close();
  });

  async function openPage(
    options: {
      user?: TestUser;
      phone?: boolean;
      viewport?: { width: number; height: number };
    } = {},
  ): Promise<Page> {
    const opened = await openBrowserPage(browser, {
      user: options.user,
      ...(options.phone ? { viewport: PHONE, isMobile: true } : {}),
      ...(options.viewport ? { viewport: options.viewport } : {}),
    });
    contexts.push(opened.context);
    pageErrors.set(opened.page, opened.errors);
    return opened.page;
  }

  function toolbar(page: Page) {
    return page.getByRole('toolbar', { name: 'Call controls' });
  }

  function toast(page: Page, text: string | RegExp) {
    return page.locator('#toasts .toast', { hasText: text });
  }

  /** From now on, every notification the page shows is kept in `window.toastsSeen`. */
  async function recordToasts(page: Page): Promise<void> {
    await page.evaluate(() => {
      window.toastsSeen = [];
      new MutationObserver((records) => {
        for (const record of records)
          for (const node of record.addedNodes)
            if (node instanceof HTMLElement && node.matches('.toast'))
              window.toastsSeen?.push(node.querySelector('span')?.textContent ?? '');
      }).observe(document.getElementById('toasts') as HTMLElement, { childList: true });
    });
  }

  it('a reload leaves the call at once (no ghost tile), and the page rejoins from the pre-join screen; a closed page is gone for the others at once', async () => {
    const ada = await createUser(api, { name: 'Ada' });
    const code = await registerMeeting(testApp, { title: 'Reload' }, ada);
    const host = await openPage({ user: ada });
    const guest = await openPage();
    await joinSignedIn(host, testApp.baseUrl, code);
    await joinAsGuest(guest, testApp.baseUrl, code, 'Linus');
    await Promise.all([waitForRemoteVideos(host, 1), waitForRemoteVideos(guest, 1)]);
    const before = await selfId(guest);

    // A reload: the page left the call as it went, so the host never sees a "reconnecting…"
    // ghost waiting out the server's grace window; the guest is back at the pre-join screen
    // (its name remembered) and joins again as a new socket.
    await guest.reload();
    await host.locator(`[data-peer="${before}"]`).waitFor({ state: 'detached', timeout: 5_000 });
    await toolbar(host).getByRole('button', { name: 'Participants (1)' }).waitFor();
    await toast(host, 'Linus left').waitFor();
    expect(await guest.getByLabel('Your name').inputValue()).toBe('Linus');
    await guest.getByRole('button', { name: 'Join meeting' }).click();
    const after = await selfId(guest, before);
    await host.locator(`[data-peer="${after}"]`).waitFor();
    await waitForRemoteVideos(host, 1);
    await toolbar(host).getByRole('button', { name: 'Participants (2)' }).waitFor();
    expect(await host.locator('.tile').count()).toBe(2);
    expect(await host.locator('.tile[data-reconnecting]').count()).toBe(0);

    // A closed tab: gone from the host's call within seconds, not after the grace window.
    await guest.close();
    await host.locator(`[data-peer="${after}"]`).waitFor({ state: 'detached', timeout: 5_000 });
    await toolbar(host).getByRole('button', { name: 'Participants (1)' }).waitFor();
    expect(pageErrors.get(host)).toEqual([]);
  });

  it('pages open at the top, the top bar in view, with no focus ring on the page itself', async () => {
    const ada = await createUser(api, { name: 'Ada' });
    const found: Record<string, unknown> = {};
    for (const [size, viewport] of Object.entries({ desktop: DESKTOP, phone: PHONE })) {
      for (const [where, user] of [
        ['/', ada],
        ['/login', undefined],
      ] as const) {
        const page = await openPage({ user, viewport });
        await page.goto(`${testApp.baseUrl}${where}`);
        await page.getByRole('heading', { level: 1 }).first().waitFor();
        await page.waitForTimeout(300);
        found[`${where} ${size}`] = await page.evaluate(() => {
          const main = document.querySelector('main') as HTMLElement;
          return {
            scrollY: window.scrollY,
            topBarInView:
              (document.querySelector('header.topbar')?.getBoundingClientRect().top ?? -1) >= 0,
            mainOutline:
              document.activeElement === main ? getComputedStyle(main).outlineStyle : 'none',
          };
        });
        await page.context().close();
      }
    }
    const expected = { scrollY: 0, topBarInView: true, mainOutline: 'none' };
    expect(found).toEqual({
      '/ desktop': expected,
      '/login desktop': expected,
      '/ phone': expected,
      '/login phone': expected,
    });
  });

  it('on a phone, notifications never cover the chat sheet, and Escape closes a sheet back to its button', async () => {
    const ada = await createUser(api, { name: 'Ada' });
    const code = await registerMeeting(testApp, { title: 'Phone chat' }, ada);
    const host = await openPage({ user: ada });
    const phone = await openPage({ phone: true });
    await joinSignedIn(host, testApp.baseUrl, code);
    await joinAsGuest(phone, testApp.baseUrl, code, 'Mobile Mo');
    await Promise.all([waitForRemoteVideos(host, 1), waitForRemoteVideos(phone, 1)]);

    await host.getByRole('textbox', { name: 'Message' }).fill('are you there?');
    await host.getByRole('button', { name: 'Send' }).click();
    await toast(phone, 'Ada: are you there?').waitFor();
    await toolbar(phone).getByRole('button', { name: /^Chat/ }).click();
    const sheet = phone.locator('#chat');
    await sheet.getByText('are you there?').waitFor();

    /** What a tap at the centre of each of the sheet's controls would hit. */
    const hits = () =>
      phone.evaluate(() => {
        const at = (element: Element | null) => {
          if (!element) return 'missing';
          const box = element.getBoundingClientRect();
          const hit = document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2);
          return hit !== null && element.contains(hit)
            ? 'itself'
            : (hit?.outerHTML.slice(0, 80) ?? 'nothing');
        };
        return {
          send: at(document.querySelector('#chat button[type="submit"]')),
          message: at(document.querySelector('#chat input[name="text"]')),
        };
      });
    // The chat's own notification went with the opening; the controls take the taps.
    expect(await toast(phone, 'Ada:').count()).toBe(0);
    expect(await hits()).toEqual({ send: 'itself', message: 'itself' });
    // Notifications that come while the sheet is open stay clear of it.
    await toolbar(host).getByRole('button', { name: 'Raise hand' }).click();
    await toast(phone, 'Ada raised their hand').waitFor();
    await host.getByRole('textbox', { name: 'Message' }).fill('hello?');
    await host.getByRole('button', { name: 'Send' }).click();
    await sheet.getByText('hello?').waitFor();
    expect(await hits()).toEqual({ send: 'itself', message: 'itself' });
    const [raised, sheetBox] = await Promise.all([
      toast(phone, 'Ada raised their hand').boundingBox(),
      sheet.boundingBox(),
    ]);
    expect((raised?.y ?? 0) + (raised?.height ?? 0)).toBeLessThanOrEqual(sheetBox?.y ?? 0);

    // Escape closes the sheet; focus is back on the button that opened it.
    await phone.keyboard.press('Escape');
    await sheet.waitFor({ state: 'hidden' });
    expect(await phone.evaluate(() => document.activeElement?.getAttribute('aria-controls'))).toBe(
      'chat',
    );
    await toolbar(phone)
      .getByRole('button', { name: /^Participants/ })
      .click();
    await phone.locator('#participants').waitFor();
    await phone.locator('#participants').getByRole('button').first().focus();
    await phone.keyboard.press('Escape');
    await phone.locator('#participants').waitFor({ state: 'hidden' });
    expect(await phone.evaluate(() => document.activeElement?.getAttribute('aria-controls'))).toBe(
      'participants',
    );
    expect(pageErrors.get(phone)).toEqual([]);
  });

  it('pre-join: the camera, microphone and speaker pickers are in view, named as they are', async () => {
    const code = await registerMeeting(testApp, { title: 'Devices' });
    for (const phone of [false, true]) {
      const page = await openPage({ phone });
      await page.goto(`${testApp.baseUrl}/meet/${code}`);
      await page.getByRole('button', { name: 'Join meeting' }).waitFor();
      await page.waitForFunction(
        () =>
          document.querySelectorAll('#prejoin select option[value]:not([value=""])').length >= 2,
      );
      for (const name of ['Camera', 'Microphone', 'Speaker']) {
        const picker = page.getByRole('combobox', { name, exact: true });
        expect(await picker.count()).toBe(1);
        // Reachable without a click on anything else (on a phone, by scrolling).
        await picker.scrollIntoViewIfNeeded();
        expect(await picker.isVisible()).toBe(true);
        expect(await picker.locator('option').count()).toBeGreaterThan(0);
      }
      expect(await page.getByLabel('Microphone', { exact: true }).isVisible()).toBe(true);
      if (!phone) {
        // On a desktop, in view as the page opens.
        await page.evaluate(() => window.scrollTo(0, 0));
        const camera = await page.getByRole('combobox', { name: 'Camera' }).boundingBox();
        expect((camera?.y ?? 1000) + (camera?.height ?? 0)).toBeLessThanOrEqual(DESKTOP.height);
      }
      expect(pageErrors.get(page)).toEqual([]);
    }
  });

  it('offline: the banner shows as soon as the browser says so, and online again it goes, the connection kept', async () => {
    const code = await registerMeeting(testApp);
    const steady = await openPage();
    const flaky = await openPage();
    await joinAsGuest(steady, testApp.baseUrl, code, 'Steady');
    await joinAsGuest(flaky, testApp.baseUrl, code, 'Flaky');
    await Promise.all([waitForRemoteVideos(steady, 1), waitForRemoteVideos(flaky, 1)]);
    const before = await selfId(flaky);
    // The browser reports the network gone while the connection has not noticed yet (a real
    // network drop: nothing tells the open WebSocket until Socket.IO's ping timeout).
    await flaky.evaluate(() => window.dispatchEvent(new Event('offline')));
    await flaky.locator('#reconnecting').waitFor({ state: 'visible', timeout: 2_000 });
    await flaky.evaluate(() => window.dispatchEvent(new Event('online')));
    // Back, and the connection answers: the same one goes on, nobody saw anything.
    await flaky.locator('#reconnecting').waitFor({ state: 'hidden', timeout: 5_000 });
    expect(await selfId(flaky)).toBe(before);
    expect(await steady.locator(`[data-peer="${before}"]`).count()).toBe(1);
    expect(pageErrors.get(flaky)).toEqual([]);
  });

  it('offline: the banner shows at once, and back online the call resumes with the same socket', async () => {
    const code = await registerMeeting(testApp);
    const steady = await openPage();
    const flaky = await openPage();
    await joinAsGuest(steady, testApp.baseUrl, code, 'Steady');
    await joinAsGuest(flaky, testApp.baseUrl, code, 'Flaky');
    await Promise.all([waitForRemoteVideos(steady, 1), waitForRemoteVideos(flaky, 1)]);
    const before = await selfId(flaky);
    await recordToasts(steady);

    await flaky.context().setOffline(true);
    await flaky.locator('#reconnecting').waitFor({ state: 'visible', timeout: 5_000 });
    await flaky.waitForTimeout(2_000);
    await flaky.context().setOffline(false);

    await flaky.locator('#reconnecting').waitFor({ state: 'hidden', timeout: 20_000 });
    // Resumed: the same socket, in the room, with its peers; nobody saw it leave.
    expect(await selfId(flaky, undefined, 20_000)).toBe(before);
    await steady.locator(`[data-peer="${before}"]:not([data-reconnecting])`).waitFor();
    await Promise.all([waitForRemoteVideos(steady, 1), waitForRemoteVideos(flaky, 1)]);
    await flaky.getByRole('textbox', { name: 'Message' }).fill('back');
    await flaky.getByRole('button', { name: 'Send' }).click();
    await steady.getByRole('list', { name: 'Chat messages' }).getByText('back').waitFor();
    const seen = (await steady.evaluate(() => window.toastsSeen)) ?? [];
    expect(seen.filter((text) => /left/.test(text))).toEqual([]);
    expect(pageErrors.get(flaky)).toEqual([]);
  });

  it('the presenter sees their own screen large, said to be presenting; no Share screen without screen capture', async () => {
    const ada = await createUser(api, { name: 'Ada' });
    const code = await registerMeeting(testApp, { title: 'Presenting' }, ada);
    const host = await openPage({ user: ada });
    const guest = await openPage();
    await joinSignedIn(host, testApp.baseUrl, code);
    await joinAsGuest(guest, testApp.baseUrl, code, 'Linus');
    await Promise.all([waitForRemoteVideos(host, 1), waitForRemoteVideos(guest, 1)]);
    const guestId = await selfId(guest);

    await toolbar(guest).getByRole('button', { name: 'Share screen' }).click();
    await toolbar(guest).getByRole('button', { name: 'Stop sharing' }).waitFor();
    // The presenter: their own screen in the spotlight, the others in the strip.
    await guest.locator('.spotlight [data-local].sharing').waitFor();
    await guest.locator('.strip [data-peer]').waitFor();
    await guest.getByRole('status').filter({ hasText: 'You are presenting' }).waitFor();
    const spotlight = await guest.locator('.spotlight [data-local]').boundingBox();
    const strip = await guest.locator('.strip [data-peer]').boundingBox();
    expect(spotlight?.width ?? 0).toBeGreaterThan((strip?.width ?? 0) * 2);
    // The others see it large too.
    await host.locator(`.spotlight [data-peer="${guestId}"]`).waitFor();

    await toolbar(guest).getByRole('button', { name: 'Stop sharing' }).click();
    await guest.locator('.spotlight').waitFor({ state: 'detached' });
    expect(await guest.getByText('You are presenting').isVisible()).toBe(false);
    expect(await guest.locator('.grid .tile').count()).toBe(2);

    // A browser without screen capture (most phones) is not offered the button.
    const phone = await openPage({ phone: true });
    await phone.addInitScript(() => {
      delete (MediaDevices.prototype as { getDisplayMedia?: unknown }).getDisplayMedia;
    });
    await joinAsGuest(phone, testApp.baseUrl, code, 'Mo');
    await selfId(phone);
    await toolbar(phone).getByRole('button', { name: 'Raise hand' }).waitFor();
    expect(await toolbar(phone).getByRole('button', { name: 'Share screen' }).count()).toBe(0);
    expect(pageErrors.get(guest)).toEqual([]);
  });
});
