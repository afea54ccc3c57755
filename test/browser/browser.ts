/// <reference lib="dom" />
import { type Browser, chromium, type Page } from 'playwright-core';

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
