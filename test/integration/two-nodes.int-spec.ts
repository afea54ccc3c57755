import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { EmbeddedMongoServer } from 'embedded-mongo';
import { type ClusterNode, startClusterNode } from '../support/server-process.js';
import {
  connectSocket,
  eventually,
  nextEvent,
  record,
  request,
  type TestSocket,
} from '../support/socket-client.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const DEAD_AFTER_SECONDS = 3;

type Node = ClusterNode;

/**
 * Two real app processes (node dist/main.js) sharing one Redis and one database, and the
 * existing client's flow with participants split across them.
 */
describe('Two instances behind one Redis behave as one service', () => {
  const prefix = `it:${randomBytes(4).toString('hex')}:`;
  let database: EmbeddedMongoServer;
  let nodeA: Node;
  let nodeB: Node;
  const sockets: TestSocket[] = [];

  function startNode(): Promise<Node> {
    return startClusterNode({
      DB_URI: database.uri('meet'),
      REDIS_URL,
      REDIS_PREFIX: prefix,
      NODE_HEARTBEAT_SECONDS: '1',
      NODE_DEAD_AFTER_SECONDS: String(DEAD_AFTER_SECONDS),
    });
  }

  async function connect(node: Node, token?: string): Promise<TestSocket> {
    const socket = await connectSocket(node.url, token === undefined ? {} : { token });
    sockets.push(socket);
    return socket;
  }

  beforeAll(async () => {
    database = await EmbeddedMongoServer.start();
    [nodeA, nodeB] = await Promise.all([startNode(), startNode()]);
  });

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    nodeA.server.kill('SIGTERM');
    nodeB.server.kill('SIGTERM');
    await Promise.all([nodeA.server.exited, nodeB.server.exited]);
    await database.stop();
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  it('runs a call across nodes: joins, room-wide lists, ordered signals, chat, the same-room rule, leaving', async () => {
    const alice = await connect(nodeA);
    const bob = await connect(nodeB);
    const carol = await connect(nodeA);
    const eve = await connect(nodeB);
    const page = 'http://localhost:5173/meet/cross-node-room';

    const aliceJoins = record(alice, 'user-joined');
    expect((await request(alice, 'join-call', page, 'Alice')).ok).toBe(true);
    const bobJoined = nextEvent(bob, 'user-joined');
    expect((await request(bob, 'join-call', 'cross-node-room', 'Bob')).ok).toBe(true);
    expect(await bobJoined).toEqual([
      bob.id,
      [alice.id, bob.id],
      { [alice.id!]: 'Alice', [bob.id!]: 'Bob' },
    ]);
    const carolAnswer = await request(carol, 'join-call', page, 'Carol');
    expect(
      (carolAnswer.participants as { socketId: string }[]).map(
        (participant) => participant.socketId,
      ),
    ).toEqual([alice.id, bob.id, carol.id]);
    await eventually(() => aliceJoins.length === 3);
    expect(aliceJoins[2][1]).toEqual([alice.id, bob.id, carol.id]);
    await request(eve, 'join-call', 'another-room', 'Eve');

    // Signals from node A to a socket on node B, in order.
    const bobSignals = record(bob, 'signal');
    const messages = Array.from({ length: 25 }, (_, i) =>
      JSON.stringify({ ice: { candidate: `c${i}` } }),
    );
    for (const message of messages) alice.emit('signal', bob.id!, message);
    await eventually(() => bobSignals.length === 25);
    expect(bobSignals).toEqual(messages.map((message) => [alice.id, message]));

    // The same-room rule holds across nodes: eve (node B, other room) cannot reach alice.
    const aliceSignals = record(alice, 'signal');
    const refused = await request(eve, 'signal', alice.id, '{"sdp":"intrusion"}');
    expect(refused.ok ? undefined : refused.error.code).toBe('target-not-in-room');

    // Chat reaches every member on both nodes, and no one else.
    const chats = [alice, bob, carol, eve].map((socket) => record(socket, 'chat-message'));
    expect((await request(bob, 'chat-message', 'hello from node B')).ok).toBe(true);
    await eventually(() => chats.slice(0, 3).every((seen) => seen.length === 1));
    for (const seen of chats.slice(0, 3))
      expect(seen[0]).toEqual(['hello from node B', 'Bob', bob.id]);
    expect(chats[3]).toEqual([]);
    expect(aliceSignals).toEqual([]);

    // A late joiner on node B gets the history written through node A.
    await request(alice, 'chat-message', 'from node A');
    // Chat is stored after delivery, in the background; give the write a moment to land.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const late = await connect(nodeB);
    const replay = record(late, 'chat-message');
    await request(late, 'join-call', 'cross-node-room', 'Late');
    await eventually(() => replay.length === 2);
    expect(replay.map(([text]) => text)).toEqual(['hello from node B', 'from node A']);

    // Leaving on node A is announced on node B.
    const leftOnB = nextEvent(bob, 'user-left');
    const carolId = carol.id;
    carol.close();
    expect((await leftOnB)[0]).toBe(carolId);
  });

  it('gives late joiners on the node chat goes through the history first, then live chat, each message once, in order', async () => {
    // Scaled out, a room broadcast reaches the sender's own instance only once Redis took it:
    // a joiner arriving meanwhile must get such a message once, from the history.
    const talkers = [await connect(nodeA), await connect(nodeA)];
    for (const [i, talker] of talkers.entries()) {
      expect((await request(talker, 'join-call', 'replay-room', `Talker ${i}`)).ok).toBe(true);
    }
    const sent: string[] = [];
    const say = async (i: number, text: string): Promise<void> => {
      expect((await request(talkers[i % 2], 'chat-message', text)).ok).toBe(true);
      sent.push(text);
    };
    for (let i = 0; i < 10; i++) await say(i, `before ${i}`);
    // Joiners arrive while both talkers keep chatting (sends are not awaited one by one).
    let talking = true;
    const chatter = Promise.all(
      [0, 1].map(async (i) => {
        for (let n = 0; talking && n < 100; n++) await say(i, `during ${i}.${n}`);
      }),
    );
    const joiners = await Promise.all([connect(nodeA), connect(nodeA), connect(nodeA)]);
    const heard = joiners.map((joiner) => record(joiner, 'chat-message'));
    await Promise.all(
      joiners.map(async (joiner, i) => {
        expect((await request(joiner, 'join-call', 'replay-room', `Late ${i}`)).ok).toBe(true);
      }),
    );
    talking = false;
    await chatter;
    await say(0, 'after');
    await eventually(() => heard.every((events) => events.some(([text]) => text === 'after')));
    for (const events of heard) {
      const texts = events.map(([text]) => text);
      // Once each, in the order the server took them, nothing missing in between: the end of
      // `sent` (whose order is the acknowledgements' order).
      expect(new Set(texts).size).toBe(texts.length);
      expect(texts).toContain('before 0');
      expect([...texts].sort()).toEqual([...sent.slice(sent.indexOf('before 0'))].sort());
      // Each talker's messages in the order it sent them.
      for (const i of [0, 1]) {
        const own = sent.filter((text) => text.startsWith(`during ${i}.`));
        expect(texts.filter((text) => text.startsWith(`during ${i}.`))).toEqual(own);
      }
    }
  });

  it('accepts a token issued by one node on the other', async () => {
    const register = await fetch(`${nodeA.url}/api/v1/auth/register`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        name: 'Cross Node',
        username: `cross${randomBytes(3).toString('hex')}`,
        password: 'password-123',
      }),
    });
    const { user } = (await register.json()) as { user: { username: string } };
    const login = await fetch(`${nodeA.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: user.username, password: 'password-123' }),
    });
    const { token } = (await login.json()) as { token: string };
    const socket = await connect(nodeB, token);
    const answer = await request(socket, 'join-call', 'token-room', 'ignored');
    expect((answer.participants as { name: string }[])[0].name).toBe('Cross Node');
    const me = await fetch(`${nodeB.url}/api/v1/users/me`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(me.status).toBe(200);

    // Signing out through node A ends the socket held by node B.
    const ended = nextEvent(socket, 'session-ended', 5_000);
    const logout = await fetch(`${nodeA.url}/api/v1/auth/logout`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(logout.status).toBe(204);
    expect(await ended).toEqual(['signed-out']);
    await eventually(() => !socket.connected);
  });

  it('a sign-out through one node ends the place of a socket that dropped from the other', async () => {
    const username = `away${randomBytes(3).toString('hex')}`;
    const post = (path: string, body?: object, token?: string): Promise<Response> =>
      fetch(`${nodeA.url}${path}`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          ...(token ? { Authorization: `Bearer ${token}` } : {}),
        },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
    await post('/api/v1/auth/register', { name: 'Away', username, password: 'password-123' });
    const login = await post('/api/v1/auth/login', { username, password: 'password-123' });
    const { token } = (await login.json()) as { token: string };
    const away = await connect(nodeB, token);
    const peer = await connect(nodeA);
    expect((await request(away, 'join-call', 'away-room')).ok).toBe(true);
    expect((await request(peer, 'join-call', 'away-room', 'Peer')).ok).toBe(true);
    const awayId = away.id;
    // Its connection drops (no reconnection here): it keeps its place for RECONNECT_GRACE.
    const reconnecting = nextEvent(peer, 'participant-reconnecting', 5_000);
    away.io.engine.close();
    expect(await reconnecting).toEqual([awayId]);
    const left = nextEvent(peer, 'user-left', 5_000);
    const signedOut = Date.now();
    expect((await post('/api/v1/auth/logout', undefined, token)).status).toBe(204);
    expect((await left)[0]).toBe(awayId);
    expect(Date.now() - signedOut).toBeLessThan(3_000);
  });

  it("applies a registered meeting's passcode and roles alike on both nodes", async () => {
    const username = `host${randomBytes(3).toString('hex')}`;
    const post = (node: Node, path: string, body: object, token?: string) =>
      fetch(`${node.url}/api/v1${path}`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          ...(token ? { Authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify(body),
      });
    await post(nodeA, '/auth/register', { name: 'Hosting', username, password: 'password-123' });
    const { token } = (await (
      await post(nodeA, '/auth/login', { username, password: 'password-123' })
    ).json()) as { token: string };
    const created = await post(nodeA, '/meetings', { passcode: 'across-9' }, token);
    const { code } = (await created.json()) as { code: string };

    const host = await connect(nodeA, token);
    expect((await request(host, 'join-call', code)).ok).toBe(true);
    const guest = await connect(nodeB);
    const refused = await request(guest, 'join-call', code.toUpperCase(), 'Guest');
    expect(refused.ok ? undefined : refused.error.code).toBe('passcode-required');
    const admitted = await request(guest, 'join-call', code, 'Guest', { passcode: 'across-9' });
    expect(
      (admitted.participants as { name: string; role: string }[]).map(({ name, role }) => [
        name,
        role,
      ]),
    ).toEqual([
      ['Hosting', 'host'],
      ['Guest', 'participant'],
    ]);
    const live = (await (await fetch(`${nodeB.url}/api/v1/meetings/${code}`)).json()) as {
      live: boolean;
      passcode?: string;
    };
    expect(live.live).toBe(true);
    expect(live.passcode).toBeUndefined();

    // A lock set on node A holds on node B.
    const updated = nextEvent(guest, 'meeting-updated');
    expect((await request(host, 'update-meeting', { locked: true })).ok).toBe(true);
    expect(await updated).toEqual([{ locked: true, muteOnEntry: false, waitingRoom: 'off' }]);
    const latecomer = await connect(nodeB);
    const locked = await request(latecomer, 'join-call', code, 'Late', { passcode: 'across-9' });
    expect(locked.ok ? undefined : locked.error.code).toBe('meeting-locked');
    expect((await request(host, 'update-meeting', { locked: false })).ok).toBe(true);

    // With a waiting room for guests, a guest waiting on node B is admitted from node A.
    expect((await request(host, 'update-meeting', { waitingRoom: 'guests' })).ok).toBe(true);
    const waiter = await connect(nodeB);
    const lobby = nextEvent(host, 'lobby-updated');
    const waiting = await request(waiter, 'join-call', code, 'Waiter', { passcode: 'across-9' });
    expect(waiting.waiting).toBe(true);
    expect(((await lobby)[0] as { socketId: string }[]).map((e) => e.socketId)).toEqual([
      waiter.id,
    ]);
    const letIn = nextEvent(waiter, 'admitted');
    expect((await request(host, 'admit', waiter.id)).ok).toBe(true);
    await letIn;
    // Let in by node A, held by node B: the registry says node B holds it (else node A's
    // heartbeat, finding no such socket of its own, would take it for gone and remove it).
    const redis = new Redis(REDIS_URL);
    const holders = await Promise.all(
      [waiter.id, guest.id].map((id) => redis.hget(`${prefix}p:${id}`, 'node')),
    );
    redis.disconnect();
    expect(holders[0]).toBe(holders[1]);
    const acrossSignal = nextEvent(host, 'signal');
    expect((await request(waiter, 'signal', host.id, '{"sdp":"admitted"}')).ok).toBe(true);
    expect((await acrossSignal)[0]).toBe(waiter.id);
    const roomChat = nextEvent(waiter, 'chat-message');
    expect((await request(host, 'chat-message', 'welcome')).ok).toBe(true);
    expect((await roomChat)[0]).toBe('welcome');
    waiter.close();
    expect((await request(host, 'update-meeting', { waitingRoom: 'off' })).ok).toBe(true);

    // The host on node A moderates the guest on node B.
    const cohost = nextEvent(guest, 'role-changed');
    expect((await request(host, 'set-role', guest.id, 'cohost')).ok).toBe(true);
    expect(await cohost).toEqual([guest.id, 'cohost']);
    expect((await request(host, 'set-role', guest.id, 'participant')).ok).toBe(true);
    const asked = nextEvent(guest, 'mute-request');
    expect((await request(host, 'mute-participant', guest.id)).ok).toBe(true);
    await asked;
    const removed = nextEvent(guest, 'removed');
    const left = nextEvent(host, 'user-left');
    expect((await request(host, 'remove-participant', guest.id)).ok).toBe(true);
    expect(await removed).toEqual([{ banned: false }]);
    expect((await left)[0]).toBe(guest.id);
    // Node B took the guest's socket out of the room: the room's chat no longer reaches it.
    const guestChat = record(guest, 'chat-message');
    const hostChat = nextEvent(host, 'chat-message');
    expect((await request(host, 'chat-message', 'after the removal')).ok).toBe(true);
    await hostChat;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(guestChat).toEqual([]);

    // A signed-in member on node B removed with a ban is refused on either node.
    const memberName = `member${randomBytes(3).toString('hex')}`;
    await post(nodeB, '/auth/register', {
      name: 'Member',
      username: memberName,
      password: 'password-123',
    });
    const memberToken = (
      (await (
        await post(nodeB, '/auth/login', { username: memberName, password: 'password-123' })
      ).json()) as {
        token: string;
      }
    ).token;
    const member = await connect(nodeB, memberToken);
    expect((await request(member, 'join-call', code, null, { passcode: 'across-9' })).ok).toBe(
      true,
    );
    const banned = nextEvent(member, 'removed');
    expect((await request(host, 'remove-participant', member.id, { ban: true })).ok).toBe(true);
    expect(await banned).toEqual([{ banned: true }]);
    for (const node of [nodeA, nodeB]) {
      const again = await connect(node, memberToken);
      const refusedAgain = await request(again, 'join-call', code, null, { passcode: 'across-9' });
      expect(refusedAgain.ok ? undefined : refusedAgain.error.code).toBe('banned');
    }
  });

  it('a meeting deleted through one node ends its call on both', async () => {
    const username = `deleter${randomBytes(3).toString('hex')}`;
    const post = (path: string, body: object, token?: string) =>
      fetch(`${nodeB.url}/api/v1${path}`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          ...(token ? { Authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify(body),
      });
    await post('/auth/register', { name: 'Deleter', username, password: 'password-123' });
    const { token } = (await (
      await post('/auth/login', { username, password: 'password-123' })
    ).json()) as { token: string };
    const { code } = (await (await post('/meetings', {}, token)).json()) as { code: string };
    const host = await connect(nodeA, token);
    const guest = await connect(nodeB);
    expect((await request(host, 'join-call', code)).ok).toBe(true);
    expect((await request(guest, 'join-call', code, 'Guest')).ok).toBe(true);
    const ended = [host, guest].map((socket) => nextEvent(socket, 'meeting-ended'));
    const deleted = await fetch(`${nodeB.url}/api/v1/meetings/${code}`, {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(deleted.status).toBe(204);
    await Promise.all(ended);
    expect((await fetch(`${nodeA.url}/api/v1/meetings/${code}`)).status).toBe(404);
    const chat = await request(guest, 'chat-message', 'anyone?');
    expect(chat.ok ? undefined : chat.error.code).toBe('not-in-room');
  });

  it('relays media state and hands to the other members on both nodes, never back to the sender', async () => {
    const speaker = await connect(nodeA);
    const here = await connect(nodeA);
    const there = await connect(nodeB);
    const intruder = await connect(nodeB);
    for (const [socket, name] of [
      [speaker, 'Speaker'],
      [here, 'Here'],
      [there, 'There'],
    ] as const) {
      expect((await request(socket, 'join-call', 'media-across', name)).ok).toBe(true);
    }
    // A room named after the speaker's socket id is only a room, on either node.
    expect((await request(intruder, 'join-call', speaker.id)).ok).toBe(true);
    const echoes = [speaker, intruder].map((socket) => record(socket, 'media-state'));
    const seenHere = nextEvent(here, 'media-state');
    const seenThere = nextEvent(there, 'media-state');
    const state = { audio: false, video: true, screen: false };
    expect((await request(speaker, 'media-state', state)).ok).toBe(true);
    expect(await seenHere).toEqual([speaker.id, state]);
    expect(await seenThere).toEqual([speaker.id, state]);
    const handThere = nextEvent(there, 'raise-hand');
    expect((await request(speaker, 'raise-hand', true)).ok).toBe(true);
    expect(await handThere).toEqual([speaker.id, true]);
    const overheard = record(intruder, 'signal');
    const offer = nextEvent(speaker, 'signal');
    expect((await request(there, 'signal', speaker.id, '{"sdp":"offer"}')).ok).toBe(true);
    expect(await offer).toEqual([there.id, '{"sdp":"offer"}']);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(echoes).toEqual([[], []]);
    expect(overheard).toEqual([]);
  });

  it('removes and announces the participants of a node killed with SIGKILL within the bound', async () => {
    const survivor = await connect(nodeA);
    const doomedOne = await connect(nodeB);
    const doomedTwo = await connect(nodeB);
    await request(survivor, 'join-call', 'crash-room', 'Survivor');
    await request(doomedOne, 'join-call', 'crash-room', 'Doomed 1');
    await request(doomedTwo, 'join-call', 'crash-room', 'Doomed 2');
    const left = record(survivor, 'user-left');
    const doomedIds = [doomedOne.id, doomedTwo.id].sort();
    const killedAt = Date.now();
    nodeB.server.kill('SIGKILL');
    await nodeB.server.exited;
    await eventually(() => left.length === 2, (DEAD_AFTER_SECONDS + 5) * 1000);
    const elapsed = Date.now() - killedAt;
    expect(left.map(([socketId]) => socketId).sort()).toEqual(doomedIds);
    expect(elapsed).toBeLessThan((DEAD_AFTER_SECONDS + 3) * 1000);
    const joined = await request(await connect(nodeA), 'join-call', 'crash-room', 'After');
    expect(
      (joined.participants as { name: string }[]).map((participant) => participant.name),
    ).toEqual(['Survivor', 'After']);
  });
});
