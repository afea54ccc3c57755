import { AttendanceRecorder } from '../src/meetings/attendance.recorder.js';
import type { SessionParticipant } from '../src/signaling/call/call-recorder.js';
import { ApiClient, createUser, FAST_AUTH_ENV, type TestUser } from './support/api-client.js';
import { CapturingLogger } from './support/capturing-logger.js';
import { connectSocket, request, sleep, type TestSocket } from './support/socket-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { startTestDatabase, type TestDatabase } from './support/test-database.js';
import { WebhookReceiver } from './support/webhook-receiver.js';

const SECRET = 'a-webhook-secret-of-32-characters!';

interface Visit {
  name: string;
  userId: string | null;
  guest: boolean;
  role: string;
  joinedAt: string;
  leftAt: string | null;
  durationMs: number | null;
  reason: string | null;
}

interface Session {
  id: string;
  code: string;
  title?: string;
  startedAt: string;
  endedAt: string | null;
  durationMs: number | null;
  live: boolean;
  peakParticipants: number;
  attendees: number;
  visits: number;
  attendance?: Visit[];
}

/** Boots the app with webhooks to a test receiver; sockets are closed after the block. */
function useAttendanceApp(env: Record<string, string> = {}): {
  readonly api: ApiClient;
  readonly app: TestApp;
  readonly receiver: WebhookReceiver;
  client(token?: string, reconnect?: boolean): Promise<TestSocket>;
} {
  const state = {} as { app: TestApp; api: ApiClient; receiver: WebhookReceiver };
  const open: TestSocket[] = [];
  beforeAll(async () => {
    state.receiver = await WebhookReceiver.start(SECRET);
    state.app = await startTestApp({
      env: {
        ...FAST_AUTH_ENV,
        RECONNECT_GRACE: '1s',
        WEBHOOK_URLS: state.receiver.url,
        WEBHOOK_SECRET: SECRET,
        WEBHOOK_TIMEOUT: '1s',
        ...env,
      },
    });
    state.api = new ApiClient(state.app);
  });
  afterAll(async () => {
    for (const socket of open) socket.close();
    await state.app.close();
    await state.receiver.stop();
  });
  return {
    get api() {
      return state.api;
    },
    get app() {
      return state.app;
    },
    get receiver() {
      return state.receiver;
    },
    async client(token, reconnect = false) {
      const socket = await connectSocket(state.app.baseUrl, {
        ...(token ? { token } : {}),
        reconnect,
      });
      open.push(socket);
      return socket;
    },
  };
}

async function join(socket: TestSocket, code: string, name?: string): Promise<void> {
  const answer = await request(socket, 'join-call', code, ...(name ? [name] : []));
  if (!answer.ok) throw new Error(`join failed: ${JSON.stringify(answer)}`);
}

describe('Meeting sessions and attendance', () => {
  const suite = useAttendanceApp();
  let host: TestUser;
  let member: TestUser;
  let code: string;

  async function sessions(query = '', token = host.token) {
    return suite.api.get<{ items: Session[]; total: number }>(
      `/api/v1/meetings/${code}/sessions${query}`,
      { token },
    );
  }

  async function detail(id: string, token = host.token) {
    return suite.api.get<Session>(`/api/v1/meetings/${code}/sessions/${id}`, { token });
  }

  beforeAll(async () => {
    host = await createUser(suite.api, { name: 'Hilda Host' });
    member = await createUser(suite.api, { name: 'Mo Member' });
    const created = await suite.api.post<{ code: string }>(
      '/api/v1/meetings',
      { title: 'Weekly sync' },
      { token: host.token },
    );
    code = created.body.code;
  });

  it('records a session from first in to the end for all: one visit per stay (a reconnect is the same visit), with how each ended', async () => {
    const hostSocket = await suite.client(host.token);
    const memberSocket = await suite.client(member.token, true);
    const guest = await suite.client();
    const leaver = await suite.client();
    await join(hostSocket, code);
    await join(memberSocket, code);
    await join(guest, code, '=HYPERLINK("http://x")');
    await join(leaver, code, 'Lea');

    // While live: one session, live, no end; attendance so far.
    let list = await sessions();
    expect(list.status).toBe(200);
    const live = list.body.items[0];
    expect(list.body.total).toBe(1);
    expect(live).toMatchObject({ code, title: 'Weekly sync', live: true, endedAt: null });

    // The member's connection drops and comes back within the grace window: same visit.
    const memberId = memberSocket.id;
    const recovered = new Promise<void>((resolve) => memberSocket.once('connect', () => resolve()));
    memberSocket.io.engine.close();
    await recovered;
    expect(memberSocket.recovered).toBe(true);
    expect(memberSocket.id).toBe(memberId);

    // Lea leaves; the guest is removed; the host ends the meeting for everyone.
    expect((await request(leaver, 'leave-call')).ok).toBe(true);
    expect((await request(hostSocket, 'remove-participant', guest.id)).ok).toBe(true);
    expect((await request(hostSocket, 'end-meeting')).ok).toBe(true);

    let ended: Session | undefined;
    for (let tries = 0; tries < 50; tries++) {
      list = await sessions();
      if (list.body.items[0]?.endedAt) {
        ended = list.body.items[0];
        break;
      }
      await sleep(100);
    }
    expect(ended).toMatchObject({
      id: live.id,
      live: false,
      peakParticipants: 4,
      attendees: 4,
      visits: 4,
    });
    expect(ended?.durationMs).toBe(
      new Date(ended?.endedAt ?? 0).getTime() - new Date(ended?.startedAt ?? 0).getTime(),
    );
    const report = await detail(live.id);
    expect(report.status).toBe(200);
    expect(
      report.body.attendance?.map(({ name, userId, guest: isGuest, role, reason }) => ({
        name,
        userId,
        isGuest,
        role,
        reason,
      })),
    ).toEqual([
      {
        name: 'Hilda Host',
        userId: host.id,
        isGuest: false,
        role: 'host',
        reason: 'meeting-ended',
      },
      {
        name: 'Mo Member',
        userId: member.id,
        isGuest: false,
        role: 'participant',
        reason: 'meeting-ended',
      },
      {
        name: '=HYPERLINK("http://x")',
        userId: null,
        isGuest: true,
        role: 'participant',
        reason: 'removed',
      },
      { name: 'Lea', userId: null, isGuest: true, role: 'participant', reason: 'left' },
    ]);
    for (const visit of report.body.attendance ?? []) {
      expect(visit.durationMs).toBe(
        new Date(visit.leftAt ?? 0).getTime() - new Date(visit.joinedAt).getTime(),
      );
    }

    // A second session: the host alone, who closes the tab (a deliberate leave).
    const again = await suite.client(host.token);
    await join(again, code);
    again.disconnect();
    let second: Session[] = [];
    for (let tries = 0; tries < 50; tries++) {
      second = (await sessions()).body.items;
      if (second.length === 2 && second[0].endedAt) break;
      await sleep(100);
    }
    expect(second.map((session) => session.id)[1]).toBe(live.id);
    expect(second[0]).toMatchObject({ live: false, peakParticipants: 1, attendees: 1 });
    expect((await detail(second[0].id)).body.attendance?.map((visit) => visit.reason)).toEqual([
      'left',
    ]);
    // Paginated, newest first.
    const page2 = await sessions('?limit=1&page=2');
    expect(page2.body).toMatchObject({ total: 2, page: 2, limit: 1 });
    expect(page2.body.items.map((session) => session.id)).toEqual([live.id]);

    // As CSV, by query or by Accept: one row per visit, formulas neutralised.
    const csv = await suite.app.http(`/api/v1/meetings/${code}/sessions/${live.id}?format=csv`, {
      headers: { Authorization: `Bearer ${host.token}` },
    });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(csv.headers.get('content-disposition')).toMatch(
      new RegExp(`attachment; filename="${code}-\\d{4}-\\d{2}-\\d{2}-attendance.csv"`),
    );
    const lines = (await csv.text()).trimEnd().split('\r\n');
    expect(lines[0]).toBe('name,user_id,guest,role,joined_at,left_at,duration_seconds,reason');
    expect(lines).toHaveLength(5);
    expect(lines[1]).toMatch(
      new RegExp(`^Hilda Host,${host.id},false,host,[0-9T:.Z-]+,[0-9T:.Z-]+,\\d+,meeting-ended$`),
    );
    expect(lines[3]).toMatch(/^"'=HYPERLINK\(""http:\/\/x""\)",,true,participant,.*,removed$/);
    const byAccept = await suite.app.http(`/api/v1/meetings/${code}/sessions`, {
      headers: { Authorization: `Bearer ${host.token}`, Accept: 'text/csv' },
    });
    expect(byAccept.headers.get('content-type')).toMatch(/^text\/csv/);
    const sessionLines = (await byAccept.text()).trimEnd().split('\r\n');
    expect(sessionLines[0]).toBe(
      'session_id,code,title,started_at,ended_at,duration_seconds,peak_participants,attendees,visits',
    );
    expect(sessionLines.slice(1).map((line) => line.split(',')[0])).toEqual([
      second[0].id,
      live.id,
    ]);
    // Without either: JSON.
    const json = await suite.app.http(`/api/v1/meetings/${code}/sessions`, {
      headers: { Authorization: `Bearer ${host.token}`, Accept: '*/*' },
    });
    expect(json.headers.get('content-type')).toMatch(/^application\/json/);

    // The member's own history: one entry per session attended, with title and duration.
    const history = await suite.api.get<{
      items: {
        meetingCode: string;
        sessionId?: string;
        title?: string;
        durationMs?: number | null;
      }[];
    }>('/api/v1/meetings/history', { token: member.token });
    const recorded = history.body.items.filter((item) => item.sessionId === live.id);
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toMatchObject({ meetingCode: code, title: 'Weekly sync' });
    expect(recorded[0].durationMs).toBeGreaterThan(0);
  });

  it('is for its host only: 403 for anyone else, 401 signed out, 404 for unknown meetings and sessions', async () => {
    expect((await sessions('', member.token)).status).toBe(403);
    expect((await sessions('', member.token)).body).toMatchObject({ status: 403 });
    expect((await suite.app.http(`/api/v1/meetings/${code}/sessions`)).status).toBe(401);
    expect(
      (await suite.api.get('/api/v1/meetings/zzz-zzzz-zzz/sessions', { token: host.token })).status,
    ).toBe(404);
    expect((await detail('0123456789abcdef01234567')).status).toBe(404);
    expect((await detail('not-an-id')).status).toBe(404);
    expect((await sessions('?format=xml')).status).toBe(400);
    const first = (await sessions()).body.items[0];
    expect((await detail(first.id, member.token)).status).toBe(403);
  });

  it('sends signed webhooks for the session: started, joined, removed, left with reasons, ended', async () => {
    const { receiver } = suite;
    await receiver.until(
      () => receiver.delivered().filter((event) => event.type === 'meeting.ended').length >= 2,
    );
    for (const hook of receiver.received) {
      expect(hook.id).toBe(hook.event.id);
      expect(receiver.verify(hook.body, hook.signature)).toBe(true);
      // A tampered body or a replayed old timestamp fails the check.
      expect(receiver.verify(`${hook.body} `, hook.signature)).toBe(false);
    }
    expect(receiver.verify(receiver.received[0].body, receiver.received[0].signature, -1)).toBe(
      false,
    );
    const first = receiver
      .delivered()
      .filter((event) => event.data.sessionId !== undefined || true);
    const sessionId = (
      first.find((event) => event.type === 'meeting.started')?.data.session as {
        id: string;
      }
    ).id;
    const ofSession = first.filter(
      (event) =>
        event.data.sessionId === sessionId ||
        (event.data.session as { id?: string } | undefined)?.id === sessionId,
    );
    expect(ofSession.map((event) => event.type).sort()).toEqual(
      [
        'meeting.started',
        'participant.joined',
        'participant.joined',
        'participant.joined',
        'participant.joined',
        'participant.left',
        'participant.removed',
        'participant.left',
        'participant.left',
        'participant.left',
        'meeting.ended',
      ].sort(),
    );
    const started = ofSession.find((event) => event.type === 'meeting.started');
    expect(started?.data).toMatchObject({
      meeting: { code, title: 'Weekly sync' },
      session: { id: sessionId },
    });
    const reasons = ofSession
      .filter((event) => event.type === 'participant.left')
      .map((event) => [(event.data.participant as { name: string }).name, event.data.reason]);
    expect(reasons).toEqual(
      expect.arrayContaining([
        ['Lea', 'left'],
        ['=HYPERLINK("http://x")', 'removed'],
        ['Hilda Host', 'meeting-ended'],
        ['Mo Member', 'meeting-ended'],
      ]),
    );
    const removed = ofSession.find((event) => event.type === 'participant.removed');
    expect(removed?.data).toMatchObject({
      participant: { name: '=HYPERLINK("http://x")', guest: true },
      removedBy: { userId: host.id, role: 'host' },
      banned: false,
    });
    const ended = ofSession.find((event) => event.type === 'meeting.ended');
    expect(ended?.data).toMatchObject({
      meeting: { code },
      session: { id: sessionId, peakParticipants: 4 },
      reason: 'ended-by-host',
    });
    // Each event once: the ids are unique.
    const ids = receiver.delivered().map((event) => event.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('tells integrators who is waiting in the lobby', async () => {
    const lobbyMeeting = await suite.api.post<{ code: string }>(
      '/api/v1/meetings',
      { title: 'Office hours', waitingRoom: 'guests' },
      { token: host.token },
    );
    const hostSocket = await suite.client(host.token);
    await join(hostSocket, lobbyMeeting.body.code);
    const guest = await suite.client();
    const answer = await request(guest, 'join-call', lobbyMeeting.body.code, 'Walter');
    expect(answer).toMatchObject({ ok: true, waiting: true });
    await suite.receiver.until(() =>
      suite.receiver.delivered().some((event) => event.type === 'lobby.waiting'),
    );
    const waiting = suite.receiver.delivered().find((event) => event.type === 'lobby.waiting');
    expect(waiting?.data).toMatchObject({
      meeting: { code: lobbyMeeting.body.code, title: 'Office hours' },
      waiting: { name: 'Walter', guest: true, userId: null },
    });
    expect(typeof waiting?.data.sessionId).toBe('string');
    hostSocket.close();
    guest.close();
  });

  it('ends a session no earlier than its last visit, in whatever order instances record the departures', async () => {
    // Two instances: one records the departure that ends the session, the other (or the
    // sweep of a dead instance) a later departure of the same session, before or after it.
    const recorder = suite.app.app.get(AttendanceRecorder);
    const meeting = await suite.api.post<{ code: string }>(
      '/api/v1/meetings',
      { title: 'Out of order' },
      { token: host.token },
    );
    const orderCode = meeting.body.code;
    const at = Date.now() - 60_000;
    const visitor = (sessionId: string, socketId: string): SessionParticipant => ({
      socketId,
      name: socketId,
      role: 'participant',
      joinedAt: at,
      media: null,
      handRaised: false,
      roomId: orderCode,
      sessionId,
    });
    async function recorded(sessionId: string, done: (session: Session) => boolean) {
      for (let tries = 0; tries < 50; tries++) {
        const found = await suite.api.get<Session>(
          `/api/v1/meetings/${orderCode}/sessions/${sessionId}`,
          { token: host.token },
        );
        if (found.status === 200 && done(found.body)) return found.body;
        await sleep(100);
      }
      throw new Error('not recorded in time');
    }
    for (const endRecordedFirst of [true, false]) {
      const sessionId = recorder.newSessionId();
      const early = visitor(sessionId, `early-${endRecordedFirst}`);
      const late = visitor(sessionId, `late-${endRecordedFirst}`);
      recorder.entered({ code: orderCode, title: 'Out of order' }, early, 1, true);
      recorder.entered({ code: orderCode, title: 'Out of order' }, late, 2, false);
      await recorded(sessionId, (session) => session.attendance?.length === 2);
      const endsIt = () =>
        recorder.left(early, 'disconnected', at + 10_000, { sessionEnded: true });
      const later = () => recorder.left(late, 'left', at + 20_000, { sessionEnded: false });
      if (endRecordedFirst) {
        endsIt();
        await recorded(sessionId, (session) => session.endedAt !== null);
        later();
      } else {
        later();
        await recorded(sessionId, (session) =>
          (session.attendance ?? []).some((visit) => visit.leftAt !== null),
        );
        endsIt();
      }
      const session = await recorded(
        sessionId,
        (found) =>
          found.endedAt !== null && (found.attendance ?? []).every((visit) => visit.leftAt),
      );
      const lastLeft = new Date(at + 20_000).toISOString();
      expect(session.attendance?.map((visit) => visit.leftAt).sort()).toEqual([
        new Date(at + 10_000).toISOString(),
        lastLeft,
      ]);
      expect(session.endedAt).toBe(lastLeft);
      expect(session.durationMs).toBe(20_000);
    }
  });
});

describe('Webhook delivery: retries, bad receivers, restarts', () => {
  let database: TestDatabase;
  let receiver: WebhookReceiver;
  const apps: TestApp[] = [];

  async function startApp(): Promise<{ app: TestApp; api: ApiClient }> {
    const app = await startTestApp({
      env: {
        ...FAST_AUTH_ENV,
        DB_URI: database.uri,
        RECONNECT_GRACE: '0',
        WEBHOOK_URLS: receiver.url,
        WEBHOOK_SECRET: SECRET,
        WEBHOOK_TIMEOUT: '1s',
      },
    });
    apps.push(app);
    return { app, api: new ApiClient(app) };
  }

  /** A host's meeting where `count` sessions happen (host joins and leaves). */
  async function sessionsHappen(app: TestApp, api: ApiClient, count: number): Promise<string> {
    const host = await createUser(api);
    const { body } = await api.post<{ code: string }>(
      '/api/v1/meetings',
      {},
      { token: host.token },
    );
    for (let i = 0; i < count; i++) {
      const socket = await connectSocket(app.baseUrl, { token: host.token });
      await join(socket, body.code);
      expect((await request(socket, 'leave-call')).ok).toBe(true);
      socket.close();
    }
    return body.code;
  }

  function eventsOf(code: string) {
    return receiver
      .delivered()
      .filter((event) => (event.data.meeting as { code?: string } | undefined)?.code === code);
  }

  beforeAll(async () => {
    database = await startTestDatabase();
    receiver = await WebhookReceiver.start(SECRET);
  });

  afterAll(async () => {
    for (const app of apps) await app.close().catch(() => undefined);
    await receiver.stop();
    await database.stop();
  });

  it('retries failures (5xx, 4xx, 3xx, no answer in time) with growing waits; an endless body does not hold it', async () => {
    const { app, api } = await startApp();
    const tries = new Map<string, number>();
    const plan: (number | 'hang')[] = [503, 404, 302, 'hang'];
    receiver.answer = (hook) => {
      const n = tries.get(hook.id) ?? 0;
      tries.set(hook.id, n + 1);
      return hook.event.type === 'meeting.started' ? (plan[n] ?? 'endless') : 204;
    };
    const code = await sessionsHappen(app, api, 1);
    await receiver.until(
      () => eventsOf(code).some((event) => event.type === 'meeting.started'),
      30_000,
    );
    const startedId = eventsOf(code).find((event) => event.type === 'meeting.started')?.id;
    const attempts = receiver.received.filter((hook) => hook.id === startedId);
    expect(attempts.map((hook) => hook.answer)).toEqual([503, 404, 302, 'hang', 'endless']);
    // Waits of about 1 s, 2 s, 4 s between tries (±10 %), plus the 1 s time limit of the hang.
    const gaps = attempts.slice(1).map((hook, i) => hook.at - attempts[i].at);
    expect(gaps[0]).toBeGreaterThanOrEqual(850);
    expect(gaps[1]).toBeGreaterThanOrEqual(1_750);
    expect(gaps[2]).toBeGreaterThanOrEqual(3_500);
    expect(gaps[3]).toBeGreaterThanOrEqual(1_000 + 7_000);
    // And not much later than due (+10 %): a bound loose enough for a loaded CI machine (the
    // exact wake-up time is not asserted here: timing on shared machines is noisy).
    expect(gaps[0] + gaps[1] + gaps[2]).toBeLessThanOrEqual(1_100 + 2_200 + 4_400 + 3_000);
    // The app answered all along.
    const started = Date.now();
    expect((await app.http('/health/live')).status).toBe(200);
    expect(Date.now() - started).toBeLessThan(1_000);
    receiver.answer = () => 204;
  }, 60_000);

  it('a receiver that never answers blocks neither REST nor signaling, and events sent meanwhile all arrive later', async () => {
    const { app, api } = await startApp();
    receiver.answer = () => 'hang';
    const host = await createUser(api);
    const { body } = await api.post<{ code: string }>(
      '/api/v1/meetings',
      {},
      { token: host.token },
    );
    const sockets: TestSocket[] = [];
    const joinTimes: number[] = [];
    for (let i = 0; i < 12; i++) {
      const socket = await connectSocket(app.baseUrl);
      sockets.push(socket);
      const started = Date.now();
      await join(socket, body.code, `P${i}`);
      joinTimes.push(Date.now() - started);
    }
    expect(Math.max(...joinTimes)).toBeLessThan(1_000);
    const started = Date.now();
    expect((await api.get('/api/v1/meetings', { token: host.token })).status).toBe(200);
    expect(Date.now() - started).toBeLessThan(1_000);
    for (const socket of sockets) socket.close();
    await sleep(1_500);
    receiver.answer = () => 204;
    await receiver.until(
      () =>
        eventsOf(body.code).filter((event) => event.type === 'participant.joined').length === 12 &&
        eventsOf(body.code).some((event) => event.type === 'meeting.ended'),
      40_000,
    );
  }, 60_000);

  it('events recorded while the receiver is down go out after the sender restarts, once each', async () => {
    const first = await startApp();
    receiver.answer = () => 503;
    const code = await sessionsHappen(first.app, first.api, 2);
    await receiver.until(() =>
      receiver.received.some(
        (hook) => (hook.event.data.meeting as { code?: string }).code === code,
      ),
    );
    await first.app.close();
    apps.splice(apps.indexOf(first.app), 1);
    receiver.answer = () => 204;
    await startApp();
    await receiver.until(() => eventsOf(code).length === 8, 20_000);
    expect(
      eventsOf(code)
        .map((event) => event.type)
        .sort(),
    ).toEqual(
      [
        'meeting.started',
        'participant.joined',
        'participant.left',
        'meeting.ended',
        'meeting.started',
        'participant.joined',
        'participant.left',
        'meeting.ended',
      ].sort(),
    );
    await sleep(1_500);
    const accepted = receiver.received.filter(
      (hook) => hook.answer === 204 && (hook.event.data.meeting as { code?: string }).code === code,
    );
    expect(accepted).toHaveLength(8);
  }, 60_000);
});

describe('Webhook delivery to several receivers', () => {
  const secret = 'short-secret';
  let stuck: WebhookReceiver;
  let healthy: WebhookReceiver;
  let app: TestApp;
  const logger = new CapturingLogger();
  const sockets: TestSocket[] = [];

  beforeAll(async () => {
    stuck = await WebhookReceiver.start(secret);
    healthy = await WebhookReceiver.start(secret);
    app = await startTestApp({
      env: {
        ...FAST_AUTH_ENV,
        LOG_LEVEL: 'warn',
        RECONNECT_GRACE: '0',
        WEBHOOK_URLS: `${stuck.url},${healthy.url}`,
        // Short: accepted, with a warning (it never appears in the logs).
        WEBHOOK_SECRET: secret,
        WEBHOOK_TIMEOUT: '30s',
      },
      logger,
    });
  });

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    // Unset when start-up failed.
    await (app as TestApp | undefined)?.close();
    await stuck.stop();
    await healthy.stop();
  });

  it('accepts a short WEBHOOK_SECRET with a warning that does not print it', () => {
    expect(logger.text()).toMatch(/WEBHOOK_SECRET is shorter than 16 characters/);
    expect(logger.text()).not.toContain(secret);
  });

  it('a receiver that never answers does not hold up delivery to the others', async () => {
    stuck.answer = () => 'hang';
    const api = new ApiClient(app);
    const host = await createUser(api);
    const { body } = await api.post<{ code: string }>(
      '/api/v1/meetings',
      {},
      { token: host.token },
    );
    for (let i = 0; i < 12; i++) {
      const socket = await connectSocket(app.baseUrl);
      sockets.push(socket);
      await join(socket, body.code, `P${i}`);
    }
    // Every event reaches the healthy receiver at once (each try to the stuck one lasts 30 s).
    await healthy.until(
      () =>
        healthy.delivered().filter((event) => event.type === 'participant.joined').length === 12,
      4_000,
    );
    expect(healthy.delivered().some((event) => event.type === 'meeting.started')).toBe(true);
    for (const hook of healthy.received)
      expect(healthy.verify(hook.body, hook.signature)).toBe(true);
    // The stuck receiver holds two requests of this instance, no more.
    expect(stuck.received).toHaveLength(2);
  }, 30_000);
});
