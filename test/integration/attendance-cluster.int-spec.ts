import {
  hostWithMeeting,
  type PrivateCluster,
  startPrivateCluster,
} from '../support/private-cluster.js';
import { request, sleep } from '../support/socket-client.js';
import { WebhookReceiver } from '../support/webhook-receiver.js';

const SECRET = 'integration-webhook-secret-0123456789';

interface Visit {
  name: string;
  guest: boolean;
  role: string;
  joinedAt: string;
  leftAt: string | null;
  reason: string | null;
}

/**
 * Attendance and webhooks with two instances sharing Redis and a database: a call spread
 * over both is one session with every visit; each event reaches the receiver once although
 * both instances send the outbox; an instance that dies has its visits closed by the other.
 */
describe('Attendance and webhooks across two instances', () => {
  let receiver: WebhookReceiver;
  let cluster: PrivateCluster;

  beforeAll(async () => {
    receiver = await WebhookReceiver.start(SECRET);
    cluster = await startPrivateCluster({
      WEBHOOK_URLS: receiver.url,
      WEBHOOK_SECRET: SECRET,
      WEBHOOK_TIMEOUT: '1s',
      NODE_HEARTBEAT_SECONDS: '1',
      NODE_DEAD_AFTER_SECONDS: '3',
    });
  });

  afterAll(async () => {
    await cluster.stop();
    await receiver.stop();
  });

  async function session(baseUrl: string, code: string, token: string) {
    const headers = { Authorization: `Bearer ${token}` };
    const list = (await (
      await fetch(`${baseUrl}/api/v1/meetings/${code}/sessions`, { headers })
    ).json()) as { items: { id: string; endedAt: string | null; peakParticipants: number }[] };
    const latest = list.items[0];
    if (!latest) return undefined;
    const detail = (await (
      await fetch(`${baseUrl}/api/v1/meetings/${code}/sessions/${latest.id}`, { headers })
    ).json()) as { endedAt: string | null; peakParticipants: number; attendance: Visit[] };
    return { id: latest.id, count: list.items.length, ...detail };
  }

  it('a call over both instances is one session; every event is delivered exactly once, retries included', async () => {
    const [a, b] = cluster.nodes;
    const { token, code } = await hostWithMeeting(a.url, `cluster-host-${Date.now()}`);
    // Every first try fails: the retries are taken by either instance, never both at once.
    const tries = new Map<string, number>();
    receiver.answer = (hook) => {
      const n = (tries.get(hook.id) ?? 0) + 1;
      tries.set(hook.id, n);
      return n === 1 ? 500 : 204;
    };
    const host = await cluster.connect(a, token);
    expect((await request(host, 'join-call', code)).ok).toBe(true);
    const guests = [];
    for (let i = 0; i < 6; i++) {
      const guest = await cluster.connect(i % 2 === 0 ? b : a);
      expect((await request(guest, 'join-call', code, `Guest ${i}`)).ok).toBe(true);
      guests.push(guest);
    }
    for (const guest of guests) expect((await request(guest, 'leave-call')).ok).toBe(true);
    expect((await request(host, 'leave-call')).ok).toBe(true);

    let report: Awaited<ReturnType<typeof session>>;
    const deadline = Date.now() + 10_000;
    do {
      await sleep(200);
      report = await session(b.url, code, token);
    } while (!report?.endedAt && Date.now() < deadline);
    expect(report).toMatchObject({ count: 1, peakParticipants: 7 });
    expect(report?.attendance.map((visit) => [visit.name, visit.role, visit.reason])).toEqual([
      ['Host', 'host', 'left'],
      ...[0, 1, 2, 3, 4, 5].map((i) => [`Guest ${i}`, 'participant', 'left']),
    ]);

    const ofMeeting = () =>
      receiver.received.filter(
        (hook) => (hook.event.data.meeting as { code?: string } | undefined)?.code === code,
      );
    // started, 7 joined, 7 left, ended.
    await receiver.until(() => new Set(ofMeeting().map((hook) => hook.id)).size === 16, 20_000);
    await receiver.until(
      () => ofMeeting().filter((hook) => hook.answer === 204).length >= 16,
      20_000,
    );
    // Both instances keep polling: still nothing sent twice.
    await sleep(3_000);
    const accepted = ofMeeting().filter((hook) => hook.answer === 204);
    const perId = new Map<string, number>();
    for (const hook of accepted) perId.set(hook.id, (perId.get(hook.id) ?? 0) + 1);
    expect([...perId.values()]).toEqual(Array(16).fill(1));
    const types = receiver
      .delivered()
      .filter((event) => (event.data.meeting as { code?: string }).code === code)
      .map((event) => event.type);
    expect(types.filter((type) => type === 'meeting.started')).toHaveLength(1);
    expect(types.filter((type) => type === 'meeting.ended')).toHaveLength(1);
    expect(types.filter((type) => type === 'participant.joined')).toHaveLength(7);
    expect(types.filter((type) => type === 'participant.left')).toHaveLength(7);
    receiver.answer = () => 204;
  }, 60_000);

  it('an instance that dies: the survivor closes its visits with the time it was last seen, and the session goes on', async () => {
    const [a, b] = cluster.nodes;
    const { token, code } = await hostWithMeeting(a.url, `death-host-${Date.now()}`);
    const host = await cluster.connect(a, token);
    expect((await request(host, 'join-call', code)).ok).toBe(true);
    const doomed = await cluster.connect(b);
    expect((await request(doomed, 'join-call', code, 'On B')).ok).toBe(true);
    await sleep(1_500);
    const killedAt = Date.now();
    b.server.kill('SIGKILL');
    await b.server.exited;

    let visit: Visit | undefined;
    const deadline = Date.now() + 15_000;
    do {
      await sleep(300);
      visit = (await session(a.url, code, token))?.attendance.find((v) => v.name === 'On B');
    } while (!visit?.leftAt && Date.now() < deadline);
    expect(visit?.reason).toBe('disconnected');
    // The time of death (its last heartbeat, every second), not the time it was noticed.
    const leftAt = new Date(visit?.leftAt ?? 0).getTime();
    expect(leftAt).toBeLessThanOrEqual(killedAt);
    expect(leftAt).toBeGreaterThan(killedAt - 2_000);
    const report = await session(a.url, code, token);
    expect(report?.endedAt).toBeNull();
    await receiver.until(() =>
      receiver
        .delivered()
        .some(
          (event) =>
            event.type === 'participant.left' &&
            (event.data.meeting as { code?: string }).code === code &&
            event.data.reason === 'disconnected',
        ),
    );
    expect((await request(host, 'leave-call')).ok).toBe(true);
  }, 60_000);
});
