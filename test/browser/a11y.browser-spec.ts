/// <reference lib="dom" />
import { createRequire } from 'node:module';
import type { ImpactValue } from 'axe-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ApiClient, createUser, FAST_AUTH_ENV, type TestUser } from '../support/api-client.js';
import { connectSocket, request, sleep } from '../support/socket-client.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import {
  launchBrowser,
  openPage as openBrowserPage,
  selfId,
  waitForRemoteVideos,
} from './browser.js';

declare global {
  interface Window {
    /** axe-core, once `audit` injected it into the page. */
    axe?: typeof import('axe-core');
  }
}

/** axe-core's browser build, injected into each page before it is checked. */
const AXE_SOURCE = (createRequire(import.meta.url)('axe-core') as typeof import('axe-core')).source;

/** What fails the suite; moderate and minor findings are only counted in the log. */
const FAILING: ImpactValue[] = ['serious', 'critical'];
const SCHEMES = ['light', 'dark'] as const;
/** How many offending elements a failure shows per rule. */
const NODES_SHOWN = 4;

interface Finding {
  page: string;
  scheme: (typeof SCHEMES)[number];
  id: string;
  impact: ImpactValue | undefined;
  help: string;
  helpUrl: string;
  nodes: { target: string; html: string; summary: string }[];
}

/**
 * Every page of the reference client, in both colour schemes, checked by axe-core in a real
 * Chromium: the home page (signed out and in), the sign-in page (also with its field errors),
 * the history (with a session and its attendance), the pre-join screen (guest and signed in),
 * the call (chat, participants, the leave dialog), the "You left" screen and an unknown code.
 * A serious or critical violation fails the test of its page, with the rule, the elements and
 * axe's advice; moderate and minor ones are logged.
 */
describe('Reference web client: accessibility (axe-core)', () => {
  let testApp: TestApp;
  let browser: Browser;
  let api: ApiClient;
  let ada: TestUser;
  let grace: TestUser;
  let code: string;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    testApp = await startTestApp({ env: FAST_AUTH_ENV });
    browser = await launchBrowser();
    api = new ApiClient(testApp);
    ada = await createUser(api, { name: 'Ada Lovelace' });
    grace = await createUser(api, { name: 'Grace Hopper' });
    const created = await api.post<{ code: string }>(
      '/api/v1/meetings',
      { title: 'Design review' },
      { token: ada.token },
    );
    expect(created.status).toBe(201);
    code = created.body.code;
  });
  afterEach(async () => {
    for (const context of contexts.splice(0)) await context.close();
  });
  afterAll(async () => {
    await browser?.close();
    await testApp?.close();
  });

  async function openPage(user?: TestUser): Promise<Page> {
    // Its uncaught errors are logged by openPage: not what this suite is about.
    const opened = await openBrowserPage(browser, { user });
    contexts.push(opened.context);
    return opened.page;
  }

  function url(path: string): string {
    return `${testApp.baseUrl}${path}`;
  }

  it('home page, signed out and signed in', async () => {
    const findings: Finding[] = [];
    const guest = await openPage();
    await guest.goto(url('/'));
    await guest.getByRole('form', { name: 'Join by code' }).waitFor();
    await guest.getByRole('link', { name: 'Sign in' }).first().waitFor();
    findings.push(...(await audit(guest, '/ signed out')));

    // Join with an empty code: the field's error shows under it.
    const join = guest.getByRole('form', { name: 'Join by code' });
    await join.getByRole('button', { name: 'Join' }).click();
    await join.getByText('Enter a meeting code').waitFor();
    findings.push(...(await audit(guest, '/ signed out, Join by code with its error')));

    const signedIn = await openPage(ada);
    await signedIn.goto(url('/'));
    await signedIn.getByRole('form', { name: 'Start a meeting' }).waitFor();
    await signedIn.getByRole('button', { name: 'New meeting' }).waitFor();
    findings.push(...(await audit(signedIn, '/ signed in')));

    expectNoSeriousViolations(findings);
  });

  it('sign-in page, empty and with the field errors of an invalid sign-up', async () => {
    const findings: Finding[] = [];
    const page = await openPage();
    await page.goto(url('/login'));
    const signIn = page.getByRole('form', { name: 'Sign in' });
    const signUp = page.getByRole('form', { name: 'Create an account' });
    await signIn.waitFor();
    await signUp.getByRole('button', { name: 'Sign up' }).waitFor();
    findings.push(...(await audit(page, '/login')));

    // An empty sign-in and an invalid sign-up: every field says what is wrong.
    await signIn.getByRole('button', { name: 'Sign in' }).click();
    await signIn.getByText('Enter your username.').waitFor();
    await signUp.getByLabel('Username', { exact: true }).fill('a b');
    await signUp.getByLabel('Password', { exact: true }).fill('short');
    await signUp.getByRole('button', { name: 'Sign up' }).click();
    await signUp.getByText('Enter your name.').waitFor();
    await signUp.getByText('Your password is too short').waitFor();
    findings.push(...(await audit(page, '/login with field errors')));

    expectNoSeriousViolations(findings);
  });

  it('history with an attended session, and its attendance', async () => {
    const findings: Finding[] = [];
    // Grace hosts a meeting of her own, a guest comes and goes, then she leaves: one session
    // over, recorded by the server (real sockets, no browser needed for that).
    const created = await api.post<{ code: string }>(
      '/api/v1/meetings',
      { title: 'Weekly sync' },
      { token: grace.token },
    );
    const host = await connectSocket(testApp.baseUrl, { token: grace.token });
    const visitor = await connectSocket(testApp.baseUrl);
    try {
      expect((await request(host, 'join-call', created.body.code)).ok).toBe(true);
      expect((await request(visitor, 'join-call', created.body.code, 'Linus')).ok).toBe(true);
      expect((await request(visitor, 'leave-call')).ok).toBe(true);
      expect((await request(host, 'leave-call')).ok).toBe(true);
    } finally {
      host.close();
      visitor.close();
    }
    for (let tries = 0; ; tries++) {
      const history = await api.get<{ items: { durationMs?: number | null; hosted?: boolean }[] }>(
        '/api/v1/meetings/history',
        { token: grace.token },
      );
      if (history.body.items.some((item) => typeof item.durationMs === 'number' && item.hosted))
        break;
      if (tries === 50) throw new Error(`not recorded: ${JSON.stringify(history.body)}`);
      await sleep(100);
    }

    const page = await openPage(grace);
    await page.goto(url('/history'));
    const row = page
      .getByRole('list', { name: 'Meeting history' })
      .getByRole('listitem')
      .filter({ has: page.getByRole('heading', { name: 'Weekly sync' }) });
    await row.waitFor();
    findings.push(...(await audit(page, '/history')));

    await row.getByRole('button', { name: 'Attendance' }).click();
    await row.getByRole('table', { name: 'Attendance of Weekly sync' }).waitFor();
    await row.getByRole('button', { name: 'Download CSV' }).waitFor();
    findings.push(...(await audit(page, '/history with the attendance open')));

    expectNoSeriousViolations(findings);
  });

  it('pre-join screen, as a guest and signed in', async () => {
    const findings: Finding[] = [];
    const guest = await openPage();
    await guest.goto(url(`/meet/${code}`));
    await guest.getByLabel('Your name').waitFor();
    await waitForPreJoin(guest);
    // The device pickers are in view from the start: checked with the rest.
    await guest.getByRole('combobox', { name: 'Camera' }).waitFor();
    findings.push(...(await audit(guest, `/meet/<code> pre-join (guest)`)));

    const signedIn = await openPage(ada);
    await signedIn.goto(url(`/meet/${code}`));
    await signedIn.getByText(`Joining as ${ada.name}.`).waitFor();
    await waitForPreJoin(signedIn);
    findings.push(...(await audit(signedIn, `/meet/<code> pre-join (signed in)`)));

    expectNoSeriousViolations(findings);
  });

  it('the call: chat, participants, the leave dialog and the "You left" screen', async () => {
    const findings: Finding[] = [];
    const host = await openPage(ada);
    const guest = await openPage();
    await host.goto(url(`/meet/${code}`));
    await waitForPreJoin(host);
    await host.getByRole('button', { name: 'Join meeting' }).click();
    await selfId(host);
    await guest.goto(url(`/meet/${code}`));
    await guest.getByLabel('Your name').fill('Guest Linus');
    await waitForPreJoin(guest);
    await guest.getByRole('button', { name: 'Join meeting' }).click();
    const guestId = await selfId(guest);
    const toolbar = (page: Page) => page.getByRole('toolbar', { name: 'Call controls' });
    await toolbar(host).waitFor();
    await Promise.all([waitForRemoteVideos(host, 1), waitForRemoteVideos(guest, 1)]);

    // Something in every part of the call: a chat message, a muted guest with a raised hand.
    await host.getByRole('textbox', { name: 'Message' }).fill('Hello, can everyone hear me?');
    await host.getByRole('button', { name: 'Send' }).click();
    await guest.getByRole('list', { name: 'Chat messages' }).getByText('Hello, can').waitFor();
    await toolbar(guest).getByRole('button', { name: 'Mute', exact: true }).click();
    await toolbar(guest).getByRole('button', { name: 'Raise hand' }).click();
    await host.locator(`[data-peer="${guestId}"] [data-badge="muted"]`).waitFor();
    await host.getByRole('complementary', { name: 'Chat' }).waitFor();
    findings.push(...(await audit(host, 'call, chat open (host)')));
    findings.push(...(await audit(guest, 'call, chat open (guest, muted, hand raised)')));

    for (const [page, who] of [
      [host, 'host'],
      [guest, 'guest'],
    ] as const) {
      await toolbar(page)
        .getByRole('button', { name: /^Participants/ })
        .click();
      await page
        .locator('#participants')
        .getByRole('heading', { name: /^Participants \(2\)/ })
        .waitFor();
      findings.push(...(await audit(page, `call, participants open (${who})`)));
    }

    // Leave asks first, in a modal dialog; confirmed, the call gives way to the "You left" screen.
    await toolbar(host).getByRole('button', { name: 'Leave', exact: true }).click();
    const dialog = host.getByRole('dialog', { name: 'Leave the meeting?' });
    await dialog.getByRole('button', { name: 'Leave meeting' }).waitFor();
    findings.push(...(await audit(host, 'call, leave confirmation dialog (host)')));
    await dialog.getByRole('button', { name: 'Leave meeting' }).click();
    await host.getByRole('heading', { name: 'You left the meeting' }).waitFor();
    findings.push(...(await audit(host, '"You left the meeting" screen')));

    expectNoSeriousViolations(findings);
  });

  it('a passcode form, the waiting screen, the removal screen, and a call on a phone', async () => {
    const findings: Finding[] = [];
    const created = await api.post<{ code: string }>(
      '/api/v1/meetings',
      { title: 'Guarded', passcode: 'blue-otter', waitingRoom: 'guests' },
      { token: ada.token },
    );
    const guarded = created.body.code;
    const host = await openPage(ada);
    await host.goto(url(`/meet/${guarded}`));
    await waitForPreJoin(host);
    await host.getByRole('button', { name: 'Join meeting' }).click();
    await selfId(host);

    const guest = await openPage();
    await guest.setViewportSize({ width: 390, height: 844 });
    await guest.goto(url(`/meet/${guarded}`));
    await guest.getByLabel('Your name').fill('Guest Pat');
    await guest.getByLabel('Meeting passcode').fill('red-otter');
    findings.push(...(await audit(guest, 'pre-join with a passcode (phone)')));
    await guest.getByRole('button', { name: 'Join meeting' }).click();
    const passcode = guest.getByRole('form', { name: 'This meeting needs a passcode' });
    await passcode.getByRole('alert').filter({ hasText: 'Wrong passcode' }).waitFor();
    findings.push(...(await audit(guest, 'passcode form, wrong passcode (phone)')));
    await passcode.getByLabel('Meeting passcode').fill('blue-otter');
    await passcode.getByRole('button', { name: 'Join' }).click();
    await guest.locator('#waiting').getByText('Waiting for the host to let you in').waitFor();
    findings.push(...(await audit(guest, 'waiting screen (phone)')));
    await host.getByRole('button', { name: 'Admit Guest Pat' }).click();
    const guestId = await selfId(guest);
    await Promise.all([waitForRemoteVideos(host, 1), waitForRemoteVideos(guest, 1)]);
    findings.push(...(await audit(guest, 'call on a phone')));
    await guest
      .getByRole('toolbar', { name: 'Call controls' })
      .getByRole('button', { name: /^Chat/ })
      .click();
    await guest.getByRole('complementary', { name: 'Chat' }).waitFor();
    findings.push(...(await audit(guest, 'call on a phone, chat sheet open')));

    await host.getByRole('button', { name: /^Participants/ }).click();
    await host.getByRole('button', { name: 'Remove Guest Pat', exact: true }).click();
    await guest.locator('#removed').getByText('You were removed from the meeting').waitFor();
    await host.locator(`[data-peer="${guestId}"]`).waitFor({ state: 'detached' });
    findings.push(...(await audit(guest, 'removed screen (phone)')));
    expectNoSeriousViolations(findings);
  });

  it('an unknown meeting code, as a guest and signed in', async () => {
    const findings: Finding[] = [];
    for (const [user, who] of [
      [undefined, 'guest'],
      [ada, 'signed in'],
    ] as const) {
      const page = await openPage(user);
      await page.goto(url('/meet/zzz-zzzz-zzz'));
      await page.getByRole('heading', { name: 'No such meeting' }).waitFor();
      await page.getByRole('link', { name: 'Back to home' }).waitFor();
      findings.push(...(await audit(page, `/meet/zzz-zzzz-zzz, no such meeting (${who})`)));
    }
    expectNoSeriousViolations(findings);
  });
});

/** The pre-join screen is ready once the devices are listed and Join is enabled. */
async function waitForPreJoin(page: Page): Promise<void> {
  await page.getByRole('heading', { level: 1 }).waitFor();
  await page.waitForFunction(() => {
    const join = [...document.querySelectorAll('button')].find(
      (button) => button.textContent === 'Join meeting',
    );
    return join !== undefined && !join.disabled;
  });
}

/**
 * Runs axe-core on the page once in the light colour scheme and once in the dark one, after
 * giving notifications and late renders a moment; returns the serious and critical violations
 * and logs how many lesser ones there were.
 */
async function audit(page: Page, label: string): Promise<Finding[]> {
  await page.waitForTimeout(500);
  await injectAxe(page);
  const findings: Finding[] = [];
  const lesser = new Map<string, number>();
  for (const scheme of SCHEMES) {
    await page.emulateMedia({ colorScheme: scheme });
    // The new scheme's styles apply at the next frame.
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(resolve)));
    const violations = await page.evaluate(async () => {
      const axe = window.axe;
      if (!axe) throw new Error('axe-core is not in the page');
      const results = await axe.run(document, { resultTypes: ['violations'] });
      return results.violations.map((violation) => ({
        id: violation.id,
        impact: violation.impact,
        help: violation.help,
        helpUrl: violation.helpUrl,
        nodes: violation.nodes.map((node) => ({
          target: node.target
            .map((part) => (typeof part === 'string' ? part : part.join(' >>> ')))
            .join(' >> '),
          html: node.html,
          summary: node.failureSummary ?? '',
        })),
      }));
    });
    for (const violation of violations) {
      if (FAILING.includes(violation.impact ?? null)) {
        findings.push({ page: label, scheme, ...violation });
      } else {
        const key = `${violation.id} (${violation.impact ?? 'no impact'})`;
        lesser.set(key, (lesser.get(key) ?? 0) + violation.nodes.length);
      }
    }
  }
  if (lesser.size > 0)
    console.info(
      `axe, ${label}: lesser findings (light + dark) ${[...lesser]
        .map(([key, count]) => `${key} ×${count}`)
        .join(', ')}`,
    );
  return findings;
}

/**
 * axe-core into the page, unless it is there already (the client navigates in place). Not as
 * an inline <script> (addScriptTag): the app's Content-Security-Policy (script-src 'self')
 * rightly refuses those; evaluated over the DevTools protocol instead, which it does not cover.
 */
async function injectAxe(page: Page): Promise<void> {
  if (await page.evaluate(() => window.axe !== undefined)) return;
  await page.evaluate(AXE_SOURCE);
  if (!(await page.evaluate(() => window.axe !== undefined)))
    throw new Error('axe-core could not be injected into the page');
}

/** Fails with every finding: its page, schemes, rule, impact, advice and first elements. */
function expectNoSeriousViolations(findings: Finding[]): void {
  if (findings.length === 0) return;
  // One entry per page and rule when both schemes show the same elements.
  const grouped = new Map<string, Finding & { schemes: string[] }>();
  for (const finding of findings) {
    const key = JSON.stringify([
      finding.page,
      finding.id,
      finding.nodes.map((node) => [node.target, node.summary]),
    ]);
    const known = grouped.get(key);
    if (known) known.schemes.push(finding.scheme);
    else grouped.set(key, { ...finding, schemes: [finding.scheme] });
  }
  const lines = [`axe-core: ${grouped.size} serious or critical violation(s)`];
  for (const finding of grouped.values()) {
    lines.push(
      '',
      `• ${finding.page} [${finding.schemes.join(' + ')}] ${finding.id} (${finding.impact}): ${finding.help}`,
      `  ${finding.helpUrl}`,
    );
    for (const node of finding.nodes.slice(0, NODES_SHOWN)) {
      lines.push(
        `  - ${node.target}`,
        `    ${truncate(node.html, 200)}`,
        ...node.summary
          .split('\n')
          .filter(Boolean)
          .map((line) => `    ${truncate(line.trim(), 240)}`),
      );
    }
    if (finding.nodes.length > NODES_SHOWN)
      lines.push(`  … and ${finding.nodes.length - NODES_SHOWN} more element(s)`);
  }
  throw new Error(lines.join('\n'));
}

function truncate(text: string, length: number): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > length ? `${flat.slice(0, length - 1)}…` : flat;
}
