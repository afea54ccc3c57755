/// <reference lib="dom" />
import { readFile } from 'node:fs/promises';
import type { Browser, BrowserContext } from 'playwright-core';
import { ApiClient, createUser, FAST_AUTH_ENV } from '../support/api-client.js';
import { connectSocket, request, sleep, type TestSocket } from '../support/socket-client.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { launchBrowser, openPage } from './browser.js';

interface HistoryPage {
  items: { sessionId?: string; durationMs?: number | null; hosted?: boolean }[];
}

/**
 * The history page of a meeting's host in a real Chromium, as narrow as a phone: the session
 * they hosted with how long they stayed, its attendance behind a button, and the CSV download.
 */
describe('Reference web client in Chromium: history and attendance', () => {
  let testApp: TestApp;
  let browser: Browser;
  let api: ApiClient;
  const contexts: BrowserContext[] = [];
  const sockets: TestSocket[] = [];

  beforeAll(async () => {
    testApp = await startTestApp({ env: FAST_AUTH_ENV });
    browser = await launchBrowser();
    api = new ApiClient(testApp);
  });
  afterAll(async () => {
    for (const socket of sockets) socket.close();
    for (const context of contexts) await context.close();
    await browser?.close();
    await testApp?.close();
  });

  async function joinCall(code: string, token?: string, name?: string): Promise<TestSocket> {
    const socket = await connectSocket(testApp.baseUrl, token ? { token } : {});
    sockets.push(socket);
    const answer = await request(socket, 'join-call', code, ...(name ? [name] : []));
    if (!answer.ok) throw new Error(`join failed: ${JSON.stringify(answer)}`);
    return socket;
  }

  it("shows the host's session with its duration, its attendance, and downloads it as CSV", async () => {
    const ada = await createUser(api, { name: 'Ada' });
    const created = await api.post<{ code: string }>(
      '/api/v1/meetings',
      { title: 'Weekly sync' },
      { token: ada.token },
    );
    expect(created.status).toBe(201);
    const code = created.body.code;

    // Ada hosts, a guest comes and leaves, then Ada leaves: the session is over.
    const host = await joinCall(code, ada.token);
    const guest = await joinCall(code, undefined, 'Linus');
    expect((await request(guest, 'leave-call')).ok).toBe(true);
    expect((await request(host, 'leave-call')).ok).toBe(true);
    // The call records it in the background: wait until Ada's entry has its duration.
    for (let tries = 0; ; tries++) {
      const history = await api.get<HistoryPage>('/api/v1/meetings/history', { token: ada.token });
      const entry = history.body.items.find((item) => item.sessionId);
      if (typeof entry?.durationMs === 'number' && entry.hosted) break;
      if (tries === 50) throw new Error(`not recorded: ${JSON.stringify(history.body)}`);
      await sleep(100);
    }

    const { context, page, errors } = await openPage(browser, { user: ada });
    contexts.push(context);
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${testApp.baseUrl}/history`);
    const row = page
      .getByRole('list', { name: 'Meeting history' })
      .getByRole('listitem')
      .filter({ has: page.getByRole('heading', { name: 'Weekly sync' }) });
    await row.waitFor();
    expect(await row.getByRole('link', { name: code }).getAttribute('href')).toBe(`/meet/${code}`);
    await expect(row.locator('.duration').textContent()).resolves.toMatch(
      /^Duration: (<1|\d+) min$/,
    );

    // Attendance opens below the row: both visits, in plain words.
    const toggle = row.getByRole('button', { name: 'Attendance' });
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    await toggle.click();
    expect(await toggle.getAttribute('aria-expanded')).toBe('true');
    const table = row.getByRole('table', { name: 'Attendance of Weekly sync' });
    await table.waitFor();
    const cells = (name: string) =>
      table
        .getByRole('row', { name: new RegExp(`^${name} `) })
        .getByRole('cell')
        .allTextContents();
    await expect(cells('Ada')).resolves.toEqual([
      'Account',
      'Host',
      expect.any(String),
      expect.any(String),
      expect.stringMatching(/min$/),
      'Left',
    ]);
    await expect(cells('Linus')).resolves.toEqual([
      'Guest',
      'Participant',
      expect.any(String),
      expect.any(String),
      expect.stringMatching(/min$/),
      'Left',
    ]);
    // Readable on a phone: nothing wider than the screen but the table's own scroller.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      390,
    );

    // Download CSV: fetched with the token, saved under the server's file name.
    const [file] = await Promise.all([
      page.waitForEvent('download'),
      row.getByRole('button', { name: 'Download CSV' }).click(),
    ]);
    expect(file.suggestedFilename()).toMatch(
      new RegExp(`^${code}-\\d{4}-\\d{2}-\\d{2}-attendance\\.csv$`),
    );
    const lines = (await readFile(await file.path(), 'utf8')).trimEnd().split('\r\n');
    expect(lines[0]).toBe('name,user_id,guest,role,joined_at,left_at,duration_seconds,reason');
    expect(lines.slice(1).map((line) => line.split(',')[0])).toEqual(['Ada', 'Linus']);

    // Closed again.
    await toggle.click();
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    await table.waitFor({ state: 'hidden' });
    expect(errors).toEqual([]);
  });
});
