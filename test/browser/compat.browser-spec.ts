/// <reference lib="dom" />
import type { Browser, Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { launchBrowser } from './browser.js';
import { COMPAT_CLIENT_HTML } from './compat-client.js';

interface OriginalClientState {
  connections: Record<string, RTCPeerConnection>;
  videos: Record<string, HTMLVideoElement>;
}

describe("The existing client's protocol in Chromium", () => {
  let testApp: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    testApp = await startTestApp({ env: { BCRYPT_ROUNDS: '4' } });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await testApp?.close();
  });

  async function originalClientPage(): Promise<Page> {
    // The test page is inline: let it run its own script under the app's CSP.
    const context = await browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    await page.goto(`${testApp.baseUrl}/health/live`);
    await page.setContent(COMPAT_CLIENT_HTML);
    await page.waitForFunction(
      () =>
        typeof (window as unknown as { runOriginalClient?: unknown }).runOriginalClient ===
        'function',
    );
    return page;
  }

  it('signs up, records and lists history with the token in body and query, and plays a remote video', async () => {
    const roomUrl = 'http://localhost:5173/meet/compat-room';
    const pages = [await originalClientPage(), await originalClientPage()];
    const results: { signUp: number; signIn: number; added: number; history: string[] }[] = [];
    for (const [index, page] of pages.entries()) {
      results.push(
        await page.evaluate(
          (args) =>
            (
              window as unknown as { runOriginalClient: (a: object) => Promise<never> }
            ).runOriginalClient(args),
          { username: `original${index}${Date.now()}`, password: 'original-password', roomUrl },
        ),
      );
    }
    for (const result of results) {
      expect(result).toEqual({ signUp: 201, signIn: 200, added: 201, history: ['compat-room'] });
    }
    for (const page of pages) {
      await page.waitForFunction(
        () => {
          const state = (window as unknown as { originalClient?: OriginalClientState })
            .originalClient;
          if (!state) return false;
          const connections = Object.values(state.connections);
          const videos = Object.values(state.videos);
          return (
            connections.length === 1 &&
            connections[0].connectionState === 'connected' &&
            videos.length === 1 &&
            videos[0].videoWidth > 0
          );
        },
        undefined,
        { timeout: 45_000, polling: 250 },
      );
    }
  });
});
