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

/** Resolves when every remote video on the page plays and its peer connection is connected. */
export async function waitForRemoteVideos(
  page: Page,
  count: number,
  timeout = 45_000,
): Promise<void> {
  await waitForRemoteVideosOnce(page, count, timeout).catch(async (error: unknown) => {
    const state = await page.evaluate(() => {
      const meet = (
        window as unknown as {
          __meet?: {
            socket: { id: string };
            peers: Map<string, { pc: RTCPeerConnection; video: HTMLVideoElement; polite: boolean }>;
          };
        }
      ).__meet;
      return {
        me: meet?.socket.id,
        peers: [...(meet?.peers.entries() ?? [])].map(([id, peer]) => ({
          id,
          polite: peer.polite,
          connection: peer.pc.connectionState,
          signaling: peer.pc.signalingState,
          ice: peer.pc.iceConnectionState,
          width: peer.video.videoWidth,
          paused: peer.video.paused,
        })),
      };
    });
    throw new Error(`${String(error)}\nstate: ${JSON.stringify(state)}`);
  });
}

async function waitForRemoteVideosOnce(page: Page, count: number, timeout: number): Promise<void> {
  await page.waitForFunction(
    (expected) => {
      const meet = (
        window as unknown as {
          __meet?: { peers: Map<string, { pc: RTCPeerConnection; video: HTMLVideoElement }> };
        }
      ).__meet;
      if (!meet || meet.peers.size !== expected) return false;
      return [...meet.peers.values()].every(
        (peer) =>
          peer.pc.connectionState === 'connected' &&
          peer.video.videoWidth > 0 &&
          !peer.video.paused,
      );
    },
    count,
    { timeout, polling: 250 },
  );
}
