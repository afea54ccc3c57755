/// <reference lib="dom" />
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../support/test-app.js';
import {
  joinAsGuest,
  launchBrowser,
  openPage as openBrowserPage,
  registerMeeting,
  selfId,
  waitForRemoteVideos,
} from './browser.js';

/**
 * A drop longer than the grace window (1 s here): the page's socket comes back as a new one,
 * joins again and is sent the room's chat history, which repeats what the page shows.
 */
describe('Reference web client in Chromium: a real rejoin after a long drop', () => {
  let testApp: TestApp;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    testApp = await startTestApp({
      env: { STUN_URLS: 'stun:127.0.0.1:3478', RECONNECT_GRACE: '1s' },
    });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await testApp?.close();
  });

  async function openPage(): Promise<{ page: Page; errors: Error[] }> {
    const opened = await openBrowserPage(browser);
    contexts.push(opened.context);
    return opened;
  }

  async function send(page: Page, text: string): Promise<void> {
    await page.getByRole('textbox', { name: 'Message' }).fill(text);
    await page.getByRole('button', { name: 'Send' }).click();
  }

  function messages(page: Page): Promise<string[]> {
    return page
      .getByRole('list', { name: 'Chat messages' })
      .locator('li')
      .evaluateAll((items) =>
        items.map(
          (item) =>
            `${item.querySelector('strong')?.textContent}: ${item.querySelector('.text')?.textContent}`,
        ),
      );
  }

  it('shows each chat message once, those sent while it was away included, and reconnects the call', async () => {
    const { page: steady } = await openPage();
    const { page: flaky, errors } = await openPage();
    const code = await registerMeeting(testApp);
    await joinAsGuest(steady, testApp.baseUrl, code, 'Steady');
    await joinAsGuest(flaky, testApp.baseUrl, code, 'Flaky');
    await Promise.all([waitForRemoteVideos(steady, 1), waitForRemoteVideos(flaky, 1)]);
    await send(steady, 'first');
    await send(flaky, 'second');
    const chat = flaky.getByRole('list', { name: 'Chat messages' });
    await chat.getByText('second').waitFor();
    await chat.getByText('first').waitFor();
    const before = await selfId(flaky);

    const cdp = await flaky.context().newCDPSession(flaky);
    await cdp.send('Network.enable');
    const online = { latency: 0, downloadThroughput: -1, uploadThroughput: -1 };
    await cdp.send('Network.emulateNetworkConditions', { offline: true, ...online });
    await flaky.locator('[data-self]').waitFor({ state: 'detached', timeout: 10_000 });
    // Past the grace window: the steady page sees it leave, then chats on.
    await steady.locator(`[data-peer="${before}"]`).waitFor({ state: 'detached', timeout: 10_000 });
    await send(steady, 'while you were away');
    await steady.getByText('while you were away').waitFor();
    await cdp.send('Network.emulateNetworkConditions', { offline: false, ...online });

    // A new socket, in the room again, with the history: each message once, in order.
    expect(await selfId(flaky, before, 20_000)).not.toBe(before);
    await chat.getByText('while you were away').waitFor();
    await waitForRemoteVideos(flaky, 1);
    expect(await messages(flaky)).toEqual([
      'Steady: first',
      'You: second',
      'Steady: while you were away',
    ]);
    expect(errors).toEqual([]);
  });
});
