import { Redis } from 'ioredis';
import {
  hostWithMeeting,
  type PrivateCluster,
  startPrivateCluster,
} from '../support/private-cluster.js';
import type { ClusterNode } from '../support/server-process.js';
import { eventually, record, request, sleep, type TestSocket } from '../support/socket-client.js';

/** Commands Redis ran so far, by name (INFO commandstats), streams' reads and writes aside. */
async function registryCommands(redis: Redis): Promise<number> {
  const info = await redis.info('commandstats');
  let total = 0;
  for (const [, name, calls] of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    // The adapter's traffic (a signal for another instance is one stream entry) and our own
    // INFO calls are not registry lookups.
    if (!['xadd', 'xread', 'xrange', 'info', 'set', 'get', 'del', 'ping'].includes(name)) {
      total += Number(calls);
    }
  }
  return total;
}

/**
 * The signal relay scaled out: two app processes sharing a Redis of the test's own (so the
 * commands it counts are theirs alone), each room's members split over both.
 */
describe('Signals between instances', () => {
  let cluster: PrivateCluster;
  let redis: Redis;
  let nodeA: ClusterNode;
  let nodeB: ClusterNode;
  const connect = (node: ClusterNode): Promise<TestSocket> => cluster.connect(node);

  beforeAll(async () => {
    cluster = await startPrivateCluster({
      NODE_HEARTBEAT_SECONDS: '5',
      RATE_LIMIT_SOCKET_SIGNALS: '100000',
    });
    [nodeA, nodeB] = cluster.nodes;
    redis = new Redis(cluster.redis.url);
  });

  afterAll(async () => {
    redis.disconnect();
    await cluster.stop();
  });

  it('does not ask Redis who is in which room for every signal', async () => {
    const alice = await connect(nodeA);
    const bob = await connect(nodeB);
    const carol = await connect(nodeA);
    for (const [socket, name] of [
      [alice, 'Alice'],
      [bob, 'Bob'],
      [carol, 'Carol'],
    ] as const) {
      expect((await request(socket, 'join-call', 'relay-room', name)).ok).toBe(true);
    }
    const toBob = record(bob, 'signal');
    const toAlice = record(alice, 'signal');
    const toCarol = record(carol, 'signal');
    const before = await registryCommands(redis);
    const count = 200;
    for (let i = 0; i < count; i++) {
      alice.emit('signal', bob.id!, `{"ice":"a${i}"}`); // node A to node B
      bob.emit('signal', alice.id!, `{"ice":"b${i}"}`); // node B to node A
      alice.emit('signal', carol.id!, `{"ice":"c${i}"}`); // within node A
    }
    await eventually(
      () => toBob.length === count && toAlice.length === count && toCarol.length === count,
      10_000,
    );
    const used = (await registryCommands(redis)) - before;
    // Every signal arrived, in order.
    expect(toBob.map(([, message]) => message)).toEqual(
      Array.from({ length: count }, (_, i) => `{"ice":"a${i}"}`),
    );
    expect(toAlice.at(-1)).toEqual([bob.id, `{"ice":"b${count - 1}"}`]);
    expect(toCarol.at(-1)).toEqual([alice.id, `{"ice":"c${count - 1}"}`]);
    // 600 signals: a lookup per sender and target at most, not one per signal (heartbeats
    // and sweeps run meanwhile).
    expect(used).toBeLessThan(60);
  });

  it('never delivers a signal to a socket that moved to another room or was removed', async () => {
    const alice = await connect(nodeA);
    const bob = await connect(nodeB);
    const dave = await connect(nodeB);
    for (const [socket, name] of [
      [alice, 'Alice'],
      [bob, 'Bob'],
      [dave, 'Dave'],
    ] as const) {
      expect((await request(socket, 'join-call', 'moving-room', name)).ok).toBe(true);
    }
    const toBob = record(bob, 'signal');
    const toDave = record(dave, 'signal');
    // Alice (node A) has signalled both: whatever node A remembers of where they are.
    expect((await request(alice, 'signal', bob.id, '{"sdp":"first"}')).ok).toBe(true);
    expect((await request(alice, 'signal', dave.id, '{"sdp":"first"}')).ok).toBe(true);
    await eventually(() => toBob.length === 1 && toDave.length === 1);

    // Bob moves to another room; Dave leaves the call.
    expect((await request(bob, 'join-call', 'other-room', 'Bob')).ok).toBe(true);
    expect((await request(dave, 'leave-call')).ok).toBe(true);
    for (let i = 0; i < 20; i++) {
      alice.emit('signal', bob.id!, `{"sdp":"after-move-${i}"}`);
      alice.emit('signal', dave.id!, `{"sdp":"after-leave-${i}"}`);
    }
    // Answered in order: node A has handled all of them; node B has their stream entries.
    await request(alice, 'signal', dave.id, '{"sdp":"last"}');
    await sleep(300);
    // Back in the room, Dave hears Alice again; nothing sent while he was out reaches him.
    expect((await request(dave, 'join-call', 'moving-room', 'Dave')).ok).toBe(true);
    expect((await request(alice, 'signal', dave.id, '{"sdp":"back"}')).ok).toBe(true);
    await eventually(() => toDave.length === 2);
    await sleep(300);
    expect(toBob.map(([, message]) => message)).toEqual(['{"sdp":"first"}']);
    expect(toDave.map(([, message]) => message)).toEqual(['{"sdp":"first"}', '{"sdp":"back"}']);
  });

  it('refuses, once the others heard of it, a signal to a socket that moved or left on another node', async () => {
    const alice = await connect(nodeA);
    const bob = await connect(nodeB);
    const dave = await connect(nodeB);
    for (const [socket, name] of [
      [alice, 'Alice'],
      [bob, 'Bob'],
      [dave, 'Dave'],
    ] as const) {
      expect((await request(socket, 'join-call', 'told-room', name)).ok).toBe(true);
    }
    // Node A remembers where Bob and Dave are (it relayed to them).
    expect((await request(alice, 'signal', bob.id, '{"sdp":"first"}')).ok).toBe(true);
    expect((await request(alice, 'signal', dave.id, '{"sdp":"first"}')).ok).toBe(true);
    const lefts = record(alice, 'user-left');
    expect((await request(bob, 'join-call', 'elsewhere-room', 'Bob')).ok).toBe(true);
    expect((await request(dave, 'leave-call')).ok).toBe(true);
    await eventually(() => lefts.length === 2);
    // Alice heard both leave: her signals to them are refused, not answered ok and dropped.
    // (The word between instances may trail user-left by a moment: at most 1 s here, where
    // node A used to trust its memory for 10 s.)
    const deadline = Date.now() + 1_000;
    let answers: string[] = [];
    do {
      const toBob = await request(alice, 'signal', bob.id, '{"sdp":"after-move"}');
      const toDave = await request(alice, 'signal', dave.id, '{"sdp":"after-leave"}');
      answers = [toBob, toDave].map((answer) => (answer.ok ? 'ok' : answer.error.code));
    } while (answers.includes('ok') && Date.now() < deadline);
    expect(answers).toEqual(['target-not-in-room', 'target-not-in-room']);
  });

  it('never delivers a signal to a participant a host on another instance removed', async () => {
    const { token, code } = await hostWithMeeting(nodeA.url, `relay${Date.now().toString(36)}`);
    const host = await cluster.connect(nodeA, token);
    const alice = await connect(nodeA);
    const mallory = await connect(nodeB);
    expect((await request(host, 'join-call', code)).ok).toBe(true);
    expect((await request(alice, 'join-call', code, 'Alice')).ok).toBe(true);
    expect((await request(mallory, 'join-call', code, 'Mallory')).ok).toBe(true);
    const toMallory = record(mallory, 'signal');
    const toAlice = record(alice, 'signal');
    expect((await request(alice, 'signal', mallory.id, '{"sdp":"hello"}')).ok).toBe(true);
    // Node B, too, has relayed to Alice (whatever it remembers of where she is).
    expect((await request(mallory, 'signal', alice.id, '{"sdp":"answer"}')).ok).toBe(true);
    await eventually(() => toMallory.length === 1 && toAlice.length === 1);

    // The host (node A) removes Mallory (node B); Alice (node A) keeps signalling her.
    expect((await request(host, 'remove-participant', mallory.id)).ok).toBe(true);
    for (let i = 0; i < 20; i++) alice.emit('signal', mallory.id!, `{"ice":"late-${i}"}`);
    await request(alice, 'signal', mallory.id, '{"ice":"last"}');
    await sleep(300);
    expect(toMallory.map(([, message]) => message)).toEqual(['{"sdp":"hello"}']);
    // She cannot signal into the call either, nor from another room she joins at once.
    const refused = await request(mallory, 'signal', alice.id, '{"sdp":"sneak"}');
    expect(refused.ok ? undefined : refused.error.code).toBe('target-not-in-room');
    expect((await request(mallory, 'join-call', 'elsewhere', 'Mallory')).ok).toBe(true);
    const again = await request(mallory, 'signal', alice.id, '{"sdp":"sneak again"}');
    expect(again.ok ? undefined : again.error.code).toBe('target-not-in-room');
    await sleep(200);
    expect(toAlice.map(([, message]) => message)).toEqual(['{"sdp":"answer"}']);
  });
});
