import { MongoClient } from 'mongodb';
import { type ClusterNode, startClusterNode } from './support/server-process.js';
import { connectSocket, request, sleep, type TestSocket } from './support/socket-client.js';
import { startTestDatabase, type TestDatabase } from './support/test-database.js';
import { WebhookReceiver } from './support/webhook-receiver.js';

const SECRET = 'restart-webhook-secret-0123456789';

interface Visit {
  name: string;
  role: string;
  joinedAt: string;
  leftAt: string | null;
  reason: string | null;
}

interface SessionDetail {
  id: string;
  title?: string;
  endedAt: string | null;
  live: boolean;
  attendance: Visit[];
}

/**
 * A single instance (no REDIS_URL) that stops, cleanly or not: nobody else can close its
 * visits, so it closes them itself on SIGTERM, and after a crash (SIGKILL) the instance
 * started in its place closes them at the crashed one's last sign of life. Either way the
 * session ends, the history shows how long each stayed, and the webhooks go out.
 */
describe('Attendance of a single instance that stops (node dist/main.js, no Redis)', () => {
  let database: TestDatabase;
  let receiver: WebhookReceiver;
  const nodes: ClusterNode[] = [];
  const sockets: TestSocket[] = [];

  function start(): Promise<ClusterNode> {
    return startClusterNode({
      DB_URI: database.uri,
      WEBHOOK_URLS: receiver.url,
      WEBHOOK_SECRET: SECRET,
      WEBHOOK_TIMEOUT: '1s',
      RECONNECT_GRACE: '2s',
    }).then((node) => {
      nodes.push(node);
      return node;
    });
  }

  async function api<T>(node: ClusterNode, path: string, token?: string, body?: object) {
    const response = await fetch(`${node.url}/api/v1${path}`, {
      method: body ? 'POST' : 'GET',
      headers: {
        ...(body ? { 'Content-Type': 'application/json' } : {}),
        ...(token ? { Authorization: `Bearer ${token}` } : {}),
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return (await response.json()) as T;
  }

  /** A host, signed in, with a titled meeting where the host and a guest are in the call. */
  async function callUnderWay(node: ClusterNode, title: string) {
    const username = `restart${Date.now()}${Math.floor(Math.random() * 1000)}`;
    await api(node, '/auth/register', undefined, {
      name: 'Rita Restart',
      username,
      password: 'password-123',
    });
    const { token } = await api<{ token: string }>(node, '/auth/login', undefined, {
      username,
      password: 'password-123',
    });
    const { code } = await api<{ code: string }>(node, '/meetings', token, { title });
    const host = await connectSocket(node.url, { token });
    const guest = await connectSocket(node.url);
    sockets.push(host, guest);
    for (const [socket, name] of [
      [host, undefined],
      [guest, 'Gina Guest'],
    ] as const) {
      const answer = await request(socket, 'join-call', code, ...(name ? [name] : []));
      if (!answer.ok) throw new Error(`join failed: ${JSON.stringify(answer)}`);
    }
    await receiver.until(() => eventsOf(code, 'participant.joined').length === 2);
    return { token, code };
  }

  function eventsOf(code: string, type: string) {
    return receiver
      .delivered()
      .filter(
        (event) =>
          event.type === type &&
          (event.data.meeting as { code?: string } | undefined)?.code === code,
      );
  }

  /** The meeting's only session, once it ended (polling: the new instance closes it). */
  async function endedSession(node: ClusterNode, code: string, token: string) {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const list = await api<{ items: { id: string; endedAt: string | null }[] }>(
        node,
        `/meetings/${code}/sessions`,
        token,
      );
      expect(list.items).toHaveLength(1);
      if (list.items[0].endedAt) {
        return api<SessionDetail>(node, `/meetings/${code}/sessions/${list.items[0].id}`, token);
      }
      if (Date.now() > deadline)
        throw new Error(
          `the session was never ended:\n${node.server.stdout()}\n${node.server.stderr()}`,
        );
      await sleep(200);
    }
  }

  async function expectClosedEverywhere(
    node: ClusterNode,
    call: { code: string; token: string },
    session: SessionDetail,
    title: string,
  ): Promise<void> {
    expect(session.live).toBe(false);
    expect(session.attendance.map((visit) => [visit.name, visit.reason])).toEqual([
      ['Rita Restart', 'disconnected'],
      ['Gina Guest', 'disconnected'],
    ]);
    // The session ends with its last visit.
    const lastLeft = Math.max(
      ...session.attendance.map((visit) => new Date(visit.leftAt ?? 0).getTime()),
    );
    expect(new Date(session.endedAt ?? 0).getTime()).toBe(lastLeft);
    // The host's history: the session, with how long they stayed (no longer in progress).
    const history = await api<{ items: { sessionId?: string; durationMs?: number | null }[] }>(
      node,
      '/meetings/history',
      call.token,
    );
    const entry = history.items.find((item) => item.sessionId === session.id);
    expect(entry?.durationMs).toBeGreaterThan(0);
    // The webhooks: both left (disconnected), the meeting ended; with the meeting's title
    // although the instance that recorded them never saw the joins.
    await receiver.until(
      () =>
        eventsOf(call.code, 'participant.left').length === 2 &&
        eventsOf(call.code, 'meeting.ended').length === 1,
      20_000,
    );
    for (const left of eventsOf(call.code, 'participant.left')) {
      expect(left.data).toMatchObject({
        meeting: { code: call.code, title },
        reason: 'disconnected',
      });
    }
    expect(eventsOf(call.code, 'meeting.ended')[0].data).toMatchObject({
      meeting: { code: call.code, title },
      session: { id: session.id, endedAt: session.endedAt },
      reason: 'everyone-left',
    });
  }

  beforeAll(async () => {
    database = await startTestDatabase();
    receiver = await WebhookReceiver.start(SECRET);
  });

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    for (const node of nodes) node.server.kill('SIGKILL');
    await Promise.all(nodes.map((node) => node.server.exited));
    await receiver.stop();
    await database.stop();
  });

  it('SIGTERM: the stopping instance closes its visits and ends the session at once; the events go out after the restart', async () => {
    const first = await start();
    const call = await callUnderWay(first, 'Stopped cleanly');
    const stoppingAt = Date.now();
    first.server.kill('SIGTERM');
    expect((await first.server.exited).code).toBe(0);
    const stoppedAt = Date.now();

    // Closed by the instance that stopped: nothing is left for anyone else to do.
    const client = await MongoClient.connect(database.uri);
    try {
      const db = client.db();
      const sessions = await db.collection('meeting_sessions').find({ code: call.code }).toArray();
      expect(sessions).toHaveLength(1);
      const visits = await db.collection('meeting_attendance').find({ code: call.code }).toArray();
      expect(visits.map((visit) => visit.reason as string)).toEqual([
        'disconnected',
        'disconnected',
      ]);
      for (const visit of visits) {
        const leftAt = (visit.leftAt as Date).getTime();
        expect(leftAt).toBeGreaterThanOrEqual(stoppingAt);
        expect(leftAt).toBeLessThanOrEqual(stoppedAt);
      }
      const endedAt = (sessions[0].endedAt as Date | undefined)?.getTime();
      expect(endedAt).toBe(Math.max(...visits.map((visit) => (visit.leftAt as Date).getTime())));
      // Its events are in the outbox (sent by whichever instance runs next, if not already).
      const queued = await db
        .collection('webhook_outbox')
        .find({ type: { $in: ['participant.left', 'meeting.ended'] } })
        .toArray();
      expect(queued.map((entry) => entry.type as string).sort()).toEqual([
        'meeting.ended',
        'participant.left',
        'participant.left',
      ]);
    } finally {
      await client.close();
    }

    const second = await start();
    const session = await endedSession(second, call.code, call.token);
    await expectClosedEverywhere(second, call, session, 'Stopped cleanly');
    second.server.kill('SIGTERM');
    await second.server.exited;
  }, 60_000);

  it('SIGKILL: the instance started in its place closes the visits at the last sign of life of the dead one', async () => {
    const first = await start();
    const call = await callUnderWay(first, 'Crashed');
    // Long enough for the instance to say it is alive after the joins (every 2 s).
    await sleep(2_500);
    const killedAt = Date.now();
    first.server.kill('SIGKILL');
    await first.server.exited;

    const second = await start();
    const session = await endedSession(second, call.code, call.token);
    for (const visit of session.attendance) {
      const leftAt = new Date(visit.leftAt ?? 0).getTime();
      // Its last sign of life: before it died, at most one heartbeat (2 s) before.
      expect(leftAt).toBeLessThanOrEqual(killedAt);
      expect(leftAt).toBeGreaterThan(killedAt - 2_500);
      expect(leftAt).toBeGreaterThan(new Date(visit.joinedAt).getTime());
    }
    await expectClosedEverywhere(second, call, session, 'Crashed');
  }, 60_000);
});
