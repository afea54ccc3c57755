/// <reference lib="dom" />
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ApiClient, createUser, FAST_AUTH_ENV, type TestUser } from '../support/api-client.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import {
  joinAsGuest as joinMeetingAsGuest,
  joinSignedIn,
  launchBrowser,
  openPage as openBrowserPage,
  selfId,
  waitForRemoteVideos,
} from './browser.js';

/**
 * The reference client's host features in a real Chromium: meeting options on the home page,
 * the invite link, the passcode form, the waiting room (wait, admit), the participants panel
 * (co-host, remove, remove and ban) and End for all, with the screens the others see.
 */
describe('Reference web client: hosting a meeting in Chromium', () => {
  let testApp: TestApp;
  let browser: Browser;
  let api: ApiClient;
  const contexts: BrowserContext[] = [];
  const pageErrors = new WeakMap<Page, Error[]>();

  beforeAll(async () => {
    testApp = await startTestApp({
      env: { ...FAST_AUTH_ENV, STUN_URLS: 'stun:127.0.0.1:3478' },
    });
    browser = await launchBrowser();
    api = new ApiClient(testApp);
  });
  // Each test's pages go with it: calls left running would slow the next test down.
  afterEach(async () => {
    for (const context of contexts.splice(0)) await context.close();
  });
  afterAll(async () => {
    await browser?.close();
    await testApp?.close();
  });

  async function openPage(user?: TestUser): Promise<Page> {
    const opened = await openBrowserPage(browser, { user, captureStreams: true });
    contexts.push(opened.context);
    pageErrors.set(opened.page, opened.errors);
    return opened.page;
  }

  function joinAsGuest(page: Page, code: string, name: string): Promise<void> {
    return joinMeetingAsGuest(page, testApp.baseUrl, code, name);
  }

  async function createMeeting(host: TestUser, settings: object = {}): Promise<string> {
    const meeting = await api.post<{ code: string }>('/api/v1/meetings', settings, {
      token: host.token,
    });
    expect(meeting.status).toBe(201);
    return meeting.body.code;
  }

  /** A meeting hosted by Ada, with Grace (signed in) and Linus (a guest), all connected. */
  async function threeInCall(): Promise<{
    code: string;
    host: Page;
    hostId: string;
    member: Page;
    guest: Page;
  }> {
    const ada = await createUser(api, { name: 'Ada' });
    const grace = await createUser(api, { name: 'Grace' });
    const code = await createMeeting(ada);
    const host = await openPage(ada);
    const member = await openPage(grace);
    const guest = await openPage();
    await joinSignedIn(host, testApp.baseUrl, code);
    const hostId = await selfId(host);
    await joinSignedIn(member, testApp.baseUrl, code);
    await joinAsGuest(guest, code, 'Linus');
    await Promise.all([host, member, guest].map((page) => waitForRemoteVideos(page, 2)));
    return { code, host, hostId, member, guest };
  }

  async function openParticipants(page: Page): Promise<void> {
    await page.getByRole('button', { name: /^Participants/ }).click();
    await page.locator('#participants').waitFor();
  }

  /** Whether every camera and microphone track the page opened has been stopped. */
  function mediaReleased(page: Page): Promise<boolean> {
    return page.evaluate(() =>
      (window.capturedStreams ?? []).every((stream) =>
        stream.getTracks().every((track) => track.readyState === 'ended'),
      ),
    );
  }

  it('creates a meeting with options on the home page, keeps a guest waiting, and lets it in', async () => {
    const ada = await createUser(api, { name: 'Ada' });
    const host = await openPage(ada);
    await host.context().grantPermissions(['clipboard-read', 'clipboard-write'], {
      origin: testApp.baseUrl,
    });
    await host.goto(`${testApp.baseUrl}/`);
    const create = host.getByRole('form', { name: 'Start a meeting' });
    await create.getByLabel('Title (optional)').fill('Waiting room test');
    await create.getByLabel('Waiting room').selectOption('guests');
    await create.getByLabel('Mute participants when they join').check();
    await create.getByRole('button', { name: 'New meeting' }).click();
    await host.waitForURL(/\/meet\/[a-z]{3}-[a-z]{4}-[a-z]{3}$/);
    await host.getByRole('button', { name: 'Join meeting' }).click();
    const code = new URL(host.url()).pathname.split('/').pop() ?? '';
    const stored = await api.get<Record<string, unknown>>(`/api/v1/meetings/${code}`, {
      token: ada.token,
    });
    expect(stored.body).toMatchObject({
      title: 'Waiting room test',
      waitingRoom: 'guests',
      muteOnEntry: true,
      allowGuests: true,
      passcode: null,
    });
    const hostId = await selfId(host);
    await host.getByText('Waiting room test').waitFor();
    // Mute on entry is for the others: the host keeps its microphone on.
    expect(await host.getByRole('button', { name: 'Mute', exact: true }).count()).toBe(1);

    // Copy invite link puts the meeting's URL on the clipboard and says so.
    await host.getByRole('button', { name: 'Copy invite link' }).click();
    await host.getByRole('status').filter({ hasText: 'Copied' }).waitFor();
    expect(await host.evaluate(() => navigator.clipboard.readText())).toBe(
      `${testApp.baseUrl}/meet/${code}`,
    );

    // The guest waits: the waiting screen, not the call.
    const guest = await openPage();
    await joinAsGuest(guest, code, 'Wendy');
    await guest.locator('#waiting').getByText('Waiting for the host to let you in').waitFor();
    expect(await guest.locator('[data-self]').count()).toBe(0);

    // The host sees it in the waiting room and lets it in.
    const waiting = host.locator('#lobby [data-waiting]');
    await waiting.filter({ hasText: 'Wendy' }).waitFor();
    await expect(waiting.filter({ hasText: 'Wendy' }).textContent()).resolves.toContain('guest');
    await openParticipants(host);
    await host.screenshot({ path: join(tmpdir(), 'meet-screenshot-host.png') });
    await guest.screenshot({ path: join(tmpdir(), 'meet-screenshot-waiting.png') });
    await host.getByRole('button', { name: 'Admit Wendy' }).click();
    await host.locator('#lobby').waitFor({ state: 'hidden' });

    const guestId = await selfId(guest);
    await guest.locator('#waiting').waitFor({ state: 'hidden' });
    await Promise.all([waitForRemoteVideos(host, 1), waitForRemoteVideos(guest, 1)]);
    // The meeting asks joiners to start muted.
    await host.locator(`[data-peer="${guestId}"] [data-badge="muted"]`).waitFor();
    // Everyone sees the list with roles; only the host gets the controls.
    await openParticipants(guest);
    await guest.locator(`[data-participant="${hostId}"] [data-role="host"]`).waitFor();
    expect(await guest.locator('#participants li button').count()).toBe(0);
    expect(pageErrors.get(host)).toEqual([]);
    expect(pageErrors.get(guest)).toEqual([]);
  });

  it('asks for the passcode in a form and says when it is wrong', async () => {
    const grace = await createUser(api, { name: 'Grace' });
    const code = await createMeeting(grace, { passcode: 'blue-otter' });
    const guest = await openPage();
    // The pre-join screen asks for it; a wrong one is asked for again.
    await joinMeetingAsGuest(guest, testApp.baseUrl, code, 'Pat', 'red-otter');
    const form = guest.getByRole('form', { name: 'This meeting needs a passcode' });
    await form.getByRole('alert').filter({ hasText: 'Wrong passcode' }).waitFor();
    await form.getByLabel('Meeting passcode').fill('green-otter');
    await form.getByRole('button', { name: 'Join' }).click();
    await form.getByRole('alert').filter({ hasText: 'Wrong passcode' }).waitFor();
    await form.getByLabel('Meeting passcode').fill('blue-otter');
    await form.getByRole('button', { name: 'Join' }).click();
    await selfId(guest);
    await guest.locator('#passcode').waitFor({ state: 'hidden' });
  });

  it('lets the host make a co-host, remove someone, and remove and ban someone', async () => {
    const { host, hostId, member, guest } = await threeInCall();
    const memberId = await selfId(member);
    const guestId = await selfId(guest);

    // The host makes Grace a co-host: she now has controls over the guest, never the host.
    await openParticipants(host);
    await host.getByRole('button', { name: 'Make co-host: Grace' }).click();
    await openParticipants(member);
    await member.locator(`[data-participant="${memberId}"] [data-role="cohost"]`).waitFor();
    await member.getByRole('button', { name: 'Remove Linus', exact: true }).waitFor();
    expect(await member.locator(`[data-participant="${hostId}"] button`).count()).toBe(0);
    await host.getByRole('button', { name: 'Make participant: Grace' }).waitFor();

    // Remove: gone from the others' pages; the removed page says so and releases its media.
    await host.getByRole('button', { name: 'Remove Grace', exact: true }).click();
    await member.locator('#removed').getByText('You were removed from the meeting').waitFor();
    expect(await member.locator('#removed').getAttribute('data-banned')).toBeNull();
    for (const page of [host, guest]) {
      await page.locator(`[data-peer="${memberId}"]`).waitFor({ state: 'detached' });
    }
    await host.locator(`[data-participant="${memberId}"]`).waitFor({ state: 'detached' });
    expect(await member.locator('[data-self], video').count()).toBe(0);
    expect(await mediaReleased(member)).toBe(true);

    // Remove and ban, confirmed: that page is told it cannot rejoin.
    host.once('dialog', (dialog) => void dialog.accept());
    await host.getByRole('button', { name: 'Remove and ban Linus' }).click();
    await guest.locator('#removed[data-banned]').getByText('and cannot rejoin').waitFor();
    await host.locator(`[data-peer="${guestId}"]`).waitFor({ state: 'detached' });
    expect(await mediaReleased(guest)).toBe(true);
    expect(pageErrors.get(member)).toEqual([]);
  });

  it('ends the meeting for everyone', async () => {
    const { code, host, member, guest } = await threeInCall();
    // Only the host has the button.
    expect(await member.getByRole('button', { name: 'End for all' }).count()).toBe(0);

    // The host locks the meeting: everyone sees it, and nobody new gets in.
    await openParticipants(host);
    await host.getByLabel('Lock meeting').check();
    await member.locator('.badge.locked').waitFor();
    const late = await openPage();
    await joinAsGuest(late, code, 'Late');
    await late.locator('#join-failed').getByText('The meeting is locked').waitFor();
    expect(await host.getByLabel('Lock meeting').isChecked()).toBe(true);

    host.once('dialog', (dialog) => void dialog.accept());
    await host.getByRole('button', { name: 'End for all' }).click();
    for (const page of [member, guest]) {
      await page.locator('#ended').getByText('The host ended the meeting').waitFor();
      expect(await mediaReleased(page)).toBe(true);
    }
    await host.locator('#ended').getByText('You ended the meeting for everyone').waitFor();
    expect(await mediaReleased(host)).toBe(true);

    // Back home from the end screen.
    await member.getByRole('link', { name: 'Back to home' }).click();
    await member.waitForURL(`${testApp.baseUrl}/`);
  });
});
