/// <reference lib="dom" />
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { ApiClient, createUser, type TestUser } from '../support/api-client.js';
import type { TestApp } from '../support/test-app.js';

declare global {
  interface Window {
    /** Every stream getUserMedia gave the page (with `captureStreams`). */
    capturedStreams?: MediaStream[];
  }
}

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Headless Chromium with fake media devices; WebRTC host candidates without mDNS masking. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless=new',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      '--disable-features=WebRtcHideLocalIpsWithMdns',
      '--autoplay-policy=no-user-gesture-required',
    ],
  });
}

/**
 * A page of its own (a fresh 1280x800 context), signed in as `user` as the client stores it
 * after its own login form; its uncaught errors are collected in `errors`. With
 * `captureStreams`, every getUserMedia and getDisplayMedia stream is kept in
 * `window.capturedStreams`. `viewport` defaults to a 1280x800 desktop.
 */
export async function openPage(
  browser: Browser,
  options: {
    user?: TestUser;
    captureStreams?: boolean;
    viewport?: { width: number; height: number };
    isMobile?: boolean;
  } = {},
): Promise<{ context: BrowserContext; page: Page; errors: Error[] }> {
  const context = await browser.newContext({
    viewport: options.viewport ?? { width: 1280, height: 800 },
    isMobile: options.isMobile,
    hasTouch: options.isMobile,
  });
  if (options.captureStreams) {
    await context.addInitScript(() => {
      const devices = navigator.mediaDevices;
      const getUserMedia = devices.getUserMedia.bind(devices);
      window.capturedStreams = [];
      devices.getUserMedia = async (constraints) => {
        const stream = await getUserMedia(constraints);
        window.capturedStreams?.push(stream);
        return stream;
      };
      const getDisplayMedia = devices.getDisplayMedia.bind(devices);
      devices.getDisplayMedia = async (constraints) => {
        const stream = await getDisplayMedia(constraints);
        window.capturedStreams?.push(stream);
        return stream;
      };
    });
  }
  const user = options.user;
  if (user) {
    await context.addInitScript(
      ([token, profile]) => {
        localStorage.setItem('meet.token', token);
        localStorage.setItem('meet.user', profile);
      },
      [user.token, JSON.stringify({ id: user.id, name: user.name, username: user.username })],
    );
  }
  const page = await context.newPage();
  const errors: Error[] = [];
  page.on('pageerror', (error) => {
    console.warn('page error:', error.message);
    errors.push(error);
  });
  return { context, page, errors };
}

/**
 * Registers a meeting (the reference client joins registered meetings only), hosted by a new
 * account unless `host` is given; answers its code.
 */
export async function registerMeeting(
  app: TestApp,
  settings: Record<string, unknown> = {},
  host?: TestUser,
): Promise<string> {
  const api = new ApiClient(app);
  const owner = host ?? (await createUser(api, { name: 'Host' }));
  const created = await api.post<{ code: string }>('/api/v1/meetings', settings, {
    token: owner.token,
  });
  if (created.status !== 201) throw new Error(`meeting not created: ${created.status}`);
  return created.body.code;
}

/**
 * Opens a meeting link as a guest and joins from the pre-join screen with a display name
 * (and the passcode, when given).
 */
export async function joinAsGuest(
  page: Page,
  baseUrl: string,
  code: string,
  name: string,
  passcode?: string,
): Promise<void> {
  await page.goto(`${baseUrl}/meet/${code}`);
  await page.getByLabel('Your name').fill(name);
  if (passcode !== undefined) await page.getByLabel('Meeting passcode').fill(passcode);
  await page.getByRole('button', { name: 'Join meeting' }).click();
}

/** Opens a meeting link signed in, and joins from the pre-join screen. */
export async function joinSignedIn(page: Page, baseUrl: string, code: string): Promise<void> {
  await page.goto(`${baseUrl}/meet/${code}`);
  await page.getByRole('button', { name: 'Join meeting' }).click();
}

/** Leaves the call with the toolbar's Leave, confirmed in its dialog. */
export async function leaveCall(page: Page): Promise<void> {
  await page
    .getByRole('toolbar', { name: 'Call controls' })
    .getByRole('button', { name: 'Leave' })
    .click();
  await page
    .getByRole('dialog', { name: 'Leave the meeting?' })
    .getByRole('button', { name: 'Leave meeting' })
    .click();
}

/**
 * The page's own socket id while it is in the call's room (the call's `data-self`); with
 * `other`, waits for an id other than that one (a rejoin).
 */
export async function selfId(page: Page, other?: string, timeout = 30_000): Promise<string> {
  const self = other
    ? page.locator(`[data-self]:not([data-self="${other}"])`)
    : page.locator('[data-self]');
  await self.waitFor({ timeout });
  const id = await self.getAttribute('data-self');
  if (!id) throw new Error('the call root lost its data-self');
  return id;
}

/** Resolves when every remote tile's video plays over a connected peer connection. */
export async function waitForRemoteVideos(
  page: Page,
  count: number,
  timeout = 45_000,
): Promise<void> {
  await waitForRemoteVideosOnce(page, count, timeout).catch(async (error: unknown) => {
    const state = await page.evaluate(() => ({
      self: document.querySelector<HTMLElement>('[data-self]')?.dataset.self,
      tiles: [...document.querySelectorAll<HTMLElement>('.tile[data-peer]')].map((tile) => {
        const video = tile.querySelector('video');
        return {
          peer: tile.dataset.peer,
          connection: tile.dataset.connection,
          width: video?.videoWidth,
          paused: video?.paused,
        };
      }),
    }));
    throw new Error(`${String(error)}\nstate: ${JSON.stringify(state)}`);
  });
}

async function waitForRemoteVideosOnce(page: Page, count: number, timeout: number): Promise<void> {
  await page.waitForFunction(
    (expected) => {
      const tiles = [...document.querySelectorAll<HTMLElement>('.tile[data-peer]')];
      return (
        tiles.length === expected &&
        tiles.every((tile) => {
          const video = tile.querySelector('video');
          return (
            tile.dataset.connection === 'connected' &&
            video !== null &&
            video.videoWidth > 0 &&
            !video.paused
          );
        })
      );
    },
    count,
    { timeout, polling: 250 },
  );
}
