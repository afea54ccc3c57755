import { createHmac } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedMongoServer } from 'embedded-mongo';
import { getModelToken } from '@nestjs/mongoose';
import mongoose, { type Model } from 'mongoose';
import { ChatMessage } from '../src/signaling/chat/chat-message.schema.js';
import type {
  IceServersResponse,
  JoinResult,
  ParticipantView,
} from '../src/signaling/protocol/events.js';
import { ApiClient, createUser } from './support/api-client.js';
import {
  connectSocket,
  eventually,
  nextEvent,
  record,
  request,
  sleep,
  type TestSocket,
} from './support/socket-client.js';
import { startTestApp, type TestApp, untilReady } from './support/test-app.js';
import { AGAINST_REAL_MONGODB } from './support/test-database.js';

const FAST = { BCRYPT_ROUNDS: '4', RATE_LIMIT_AUTH_PER_MINUTE: '100000' };

type Ack = Awaited<ReturnType<typeof request>>;

async function joined(socket: TestSocket, roomId: string, name?: string): Promise<JoinResult> {
  const answer = await request(socket, 'join-call', roomId, ...(name === undefined ? [] : [name]));
  if (!answer.ok) throw new Error(`join failed: ${JSON.stringify(answer)}`);
  return answer as unknown as JoinResult;
}

function errorCode(answer: Ack): string | undefined {
  return answer.ok ? undefined : answer.error.code;
}

describe('Signaling gateway (real Socket.IO clients, whole app)', () => {
  let testApp: TestApp;
  let api: ApiClient;
  const open: TestSocket[] = [];

  async function client(options: Parameters<typeof connectSocket>[1] = {}): Promise<TestSocket> {
    const socket = await connectSocket(testApp.baseUrl, options);
    open.push(socket);
    return socket;
  }

  beforeAll(async () => {
    testApp = await startTestApp({
      env: {
        ...FAST,
        ROOM_MAX_PARTICIPANTS: '4',
        TURN_URLS: 'turn:turn.example.com:3478?transport=udp,turns:turn.example.com:5349',
        TURN_SECRET: 'turn-shared-secret',
        TURN_TTL: '1h',
        STUN_URLS: 'stun:stun.example.com:3478',
      },
    });
    api = new ApiClient(testApp);
  });
  afterEach(() => {
    for (const socket of open.splice(0)) socket.close();
  });
  afterAll(() => testApp.close());

  describe("the existing client's call flow", () => {
    it('joins three in one room and two in another, relays offers, answers and ICE in order, chats and says goodbye', async () => {
      const [alice, bob, carol, dave, erin] = await Promise.all([
        client(),
        client(),
        client(),
        client(),
        client(),
      ]);
      const page = (code: string): string => `http://localhost:5173/meet/${code}`;
      const aliceJoins = record(alice, 'user-joined');
      const daveJoins = record(dave, 'user-joined');

      alice.emit('join-call', page('room-one'), 'Alice');
      await eventually(() => aliceJoins.length === 1);
      expect(aliceJoins[0]).toEqual([alice.id, [alice.id], { [alice.id!]: 'Alice' }]);

      const bobSeen = nextEvent(bob, 'user-joined');
      bob.emit('join-call', page('room-one'), 'Bob');
      expect(await bobSeen).toEqual([
        bob.id,
        [alice.id, bob.id],
        { [alice.id!]: 'Alice', [bob.id!]: 'Bob' },
      ]);
      await eventually(() => aliceJoins.length === 2);
      expect(aliceJoins[1][0]).toBe(bob.id);

      dave.emit('join-call', page('room-two'), 'Dave');
      erin.emit('join-call', 'room-two', 'Erin');
      await eventually(() => daveJoins.length === 2);

      const carolSeen = nextEvent(carol, 'user-joined');
      carol.emit('join-call', page('room-one'), 'Carol');
      const [joiner, clients, usernames] = await carolSeen;
      expect(joiner).toBe(carol.id);
      expect(Array.isArray(clients)).toBe(true);
      expect(clients).toEqual([alice.id, bob.id, carol.id]);
      expect(usernames).toEqual({ [alice.id!]: 'Alice', [bob.id!]: 'Bob', [carol.id!]: 'Carol' });
      // Room two never heard of room one, and room one never learns room two's names.
      expect(daveJoins.map(([id]) => id)).toEqual([dave.id, erin.id]);
      expect(JSON.stringify(aliceJoins)).not.toContain('Dave');

      // The joiner offers to everyone; they answer; ICE candidates trickle in order.
      const bobSignals = record(bob, 'signal');
      const carolSignals = record(carol, 'signal');
      const offer = JSON.stringify({ sdp: { type: 'offer', sdp: 'v=0 offer from carol' } });
      carol.emit('signal', bob.id!, offer);
      const candidates = Array.from({ length: 30 }, (_, i) =>
        JSON.stringify({ ice: { candidate: `candidate ${i}`, sdpMid: '0' } }),
      );
      for (const candidate of candidates) carol.emit('signal', bob.id!, candidate);
      bob.emit('signal', carol.id!, JSON.stringify({ sdp: { type: 'answer', sdp: 'v=0 answer' } }));
      await eventually(() => bobSignals.length === 31 && carolSignals.length === 1);
      expect(bobSignals.map(([from]) => from)).toEqual(Array(31).fill(carol.id));
      expect(bobSignals.map(([, message]) => message)).toEqual([offer, ...candidates]);
      expect(carolSignals[0]).toEqual([
        bob.id,
        JSON.stringify({ sdp: { type: 'answer', sdp: 'v=0 answer' } }),
      ]);

      // Chat reaches every member of the room, the sender included, and nobody else.
      const chats = [alice, bob, carol, dave].map((socket) => record(socket, 'chat-message'));
      // Each message carries when the server took it (ms), after the original three arguments.
      const sentAt = (socket: TestSocket): unknown[] => {
        const seen: unknown[] = [];
        socket.on('chat-message', (...args: unknown[]) => seen.push(args[3]));
        return seen;
      };
      const carolTimes = sentAt(carol);
      const before = Date.now();
      alice.emit('chat-message', '  hello room one  ', 'Alice');
      await eventually(
        () => chats[0].length === 1 && chats[1].length === 1 && chats[2].length === 1,
      );
      for (const seen of chats.slice(0, 3))
        expect(seen[0]).toEqual(['hello room one', 'Alice', alice.id]);
      bob.emit('chat-message', 'second', 'Bob');
      await eventually(() => chats[2].length === 2);
      await sleep(100);
      expect(chats[3]).toEqual([]);

      // A late joiner gets the history, oldest first, in the live argument order.
      const late = await client();
      const replay = record(late, 'chat-message');
      const replayTimes = sentAt(late);
      await joined(late, 'room-one', 'Late');
      await eventually(() => replay.length === 2);
      expect(replay).toEqual([
        ['hello room one', 'Alice', alice.id],
        ['second', 'Bob', bob.id],
      ]);
      // The replay says when each message was sent, as the live message did.
      expect(carolTimes).toHaveLength(2);
      expect(carolTimes[0]).toBeGreaterThanOrEqual(before);
      expect(carolTimes[1]).toBeGreaterThanOrEqual(carolTimes[0] as number);
      expect(replayTimes).toEqual(carolTimes);

      // Leaving: the others hear user-left with the time the socket spent in the room.
      const left = nextEvent(alice, 'user-left');
      await sleep(50);
      const bobId = bob.id;
      bob.close();
      const [leftId, timeOnline] = await left;
      expect(leftId).toBe(bobId);
      expect(timeOnline).toBeGreaterThanOrEqual(50);
      expect(timeOnline).toBeLessThan(60_000);
    });

    it('puts the page URL and the bare code in the same room, and any string is just an id', async () => {
      const [a, b, c, d] = await Promise.all([client(), client(), client(), client()]);
      await joined(a, 'https://meet.example.com/meet/same-room/');
      const second = await joined(b, 'same-room');
      expect(second.roomId).toBe('same-room');
      expect(second.participants.map((participant) => participant.socketId)).toEqual([a.id, b.id]);
      for (const id of ['constructor', 'toString', '__proto__']) {
        const first = await joined(c, id);
        expect(first.roomId).toBe(id);
      }
      const proto = await joined(d, '__proto__');
      expect(proto.participants.map((participant) => participant.socketId)).toEqual([c.id, d.id]);
    });
  });

  describe('room rules', () => {
    it('relays signals only within the room and tells the sender otherwise', async () => {
      const [inside, target, outsider, lonely] = await Promise.all([
        client(),
        client(),
        client(),
        client(),
      ]);
      await joined(inside, 'private');
      await joined(target, 'private');
      await joined(outsider, 'elsewhere');
      const received = record(target, 'signal');
      const answer = await request(outsider, 'signal', target.id, '{"sdp":"intrusion"}');
      expect(errorCode(answer)).toBe('target-not-in-room');
      const told = nextEvent(lonely, 'signaling-error');
      lonely.emit('signal', target.id!, '{"sdp":"no room at all"}');
      expect(await told).toEqual([
        'signal',
        expect.objectContaining({ code: 'target-not-in-room' }),
      ]);
      expect(
        (await request(inside, 'signal', target.id, { sdp: 'object payloads are fine' })).ok,
      ).toBe(true);
      await eventually(() => received.length === 1);
      await sleep(50);
      expect(received).toEqual([[inside.id, { sdp: 'object payloads are fine' }]]);
    });

    it("never lets a room id name another socket's own channel or a session", async () => {
      const user = await createUser(api);
      const [alice, bob, mallory, member] = await Promise.all([
        client(),
        client(),
        client(),
        client({ token: user.token }),
      ]);
      await joined(alice, 'victims');
      await joined(bob, 'victims');
      // A room named after Alice's socket id is just a room: it does not receive her signals.
      await joined(mallory, alice.id!);
      const overheard = record(mallory, 'signal');
      const relayed = nextEvent(alice, 'signal');
      await request(bob, 'signal', alice.id, '{"sdp":"private offer"}');
      expect(await relayed).toEqual([bob.id, '{"sdp":"private offer"}']);
      const aliceChat = record(alice, 'chat-message');
      await request(mallory, 'chat-message', 'injected');
      await sleep(50);
      expect(overheard).toEqual([]);
      expect(aliceChat).toEqual([]);
      // Joining and leaving a room named like the session's channel leaves sign-out intact.
      const { jti } = JSON.parse(
        Buffer.from(user.token.split('.')[1], 'base64url').toString('utf8'),
      ) as { jti: string };
      await joined(member, `session:${jti}`);
      expect((await request(member, 'leave-call')).ok).toBe(true);
      const ended = nextEvent(member, 'session-ended');
      await api.post('/api/v1/auth/logout', undefined, { token: user.token });
      expect(await ended).toEqual(['signed-out']);
    });

    it('moves a socket that joins another room, and lets it leave without disconnecting', async () => {
      const [mover, stayer, other] = await Promise.all([client(), client(), client()]);
      await joined(stayer, 'room-a');
      await joined(mover, 'room-a');
      await joined(other, 'room-b');
      const leftA = nextEvent(stayer, 'user-left');
      const switched = await joined(mover, 'room-b');
      expect((await leftA)[0]).toBe(mover.id);
      expect(switched.participants.map((participant) => participant.socketId)).toEqual([
        other.id,
        mover.id,
      ]);
      // Chat in room A no longer reaches the mover.
      const moverChat = record(mover, 'chat-message');
      await request(stayer, 'chat-message', 'only room a');
      const leftB = nextEvent(other, 'user-left');
      expect((await request(mover, 'leave-call')).ok).toBe(true);
      expect((await leftB)[0]).toBe(mover.id);
      expect(mover.connected).toBe(true);
      expect(errorCode(await request(mover, 'leave-call'))).toBe('not-in-room');
      expect(errorCode(await request(mover, 'chat-message', 'nobody hears me'))).toBe(
        'not-in-room',
      );
      expect(moverChat).toEqual([]);
    });

    it('refuses a join beyond ROOM_MAX_PARTICIPANTS with room-full', async () => {
      const sockets = await Promise.all(Array.from({ length: 5 }, () => client()));
      for (const socket of sockets.slice(0, 4)) await joined(socket, 'crowded');
      const answer = await request(sockets[4], 'join-call', 'crowded');
      expect(errorCode(answer)).toBe('room-full');
      // A member re-joining its own room is not refused.
      expect((await request(sockets[0], 'join-call', 'crowded')).ok).toBe(true);
    });

    it('relays media state and raised hands, and reports them in the join acknowledgement', async () => {
      const [speaker, listener, late] = await Promise.all([client(), client(), client()]);
      await joined(speaker, 'media-room', 'Speaker');
      await joined(listener, 'media-room', 'Listener');
      const mediaSeen = nextEvent(listener, 'media-state');
      expect(
        (await request(speaker, 'media-state', { audio: false, video: true, screen: true })).ok,
      ).toBe(true);
      expect(await mediaSeen).toEqual([speaker.id, { audio: false, video: true, screen: true }]);
      const handSeen = nextEvent(listener, 'raise-hand');
      await request(speaker, 'raise-hand', true);
      expect(await handSeen).toEqual([speaker.id, true]);
      const view = await joined(late, 'media-room');
      const speakerView = view.participants.find(
        (participant: ParticipantView) => participant.socketId === speaker.id,
      );
      expect(speakerView).toMatchObject({
        name: 'Speaker',
        media: { audio: false, video: true, screen: true },
        handRaised: true,
      });
    });
  });

  describe('identity', () => {
    it('binds a token to the socket: the account name wins over the one sent', async () => {
      const user = await createUser(api, { name: 'Real Name' });
      const [viaAuth, viaQuery] = await Promise.all([
        client({ token: user.token }),
        client({ token: user.token, tokenInQuery: true }),
      ]);
      const first = await joined(viaAuth, 'identity-room', 'Impostor');
      expect(first.participants[0]).toMatchObject({ name: 'Real Name', userId: user.id });
      const chat = nextEvent(viaQuery, 'chat-message');
      await joined(viaQuery, 'identity-room');
      await request(viaAuth, 'chat-message', 'hi', 'Someone Else');
      expect(await chat).toEqual(['hi', 'Real Name', viaAuth.id]);
    });

    it('lets a signed-in user with a long account name join and chat, whatever name the client sends', async () => {
      const longName = `Maria ${'de la '.repeat(14)}Cruz`.slice(0, 100);
      const user = await createUser(api, { name: longName });
      const [member, late] = await Promise.all([client({ token: user.token }), client()]);
      const first = await joined(member, 'long-names', longName);
      expect(first.participants[0].name).toBe(longName);
      expect((await request(member, 'join-call', 'long-names', { not: 'a name' })).ok).toBe(true);
      expect((await request(member, 'chat-message', 'hello', 's'.repeat(500))).ok).toBe(true);
      // Stored under the account name too: a late joiner gets it from the history.
      const replay = record(late, 'chat-message');
      await joined(late, 'long-names', 'Late');
      await eventually(() => replay.length === 1);
      expect(replay[0]).toEqual(['hello', longName, member.id]);
    });

    it('refuses an invalid, forged or signed-out token at connection', async () => {
      await expect(connectSocket(testApp.baseUrl, { token: 'not-a-token' })).rejects.toThrow(
        'Invalid token',
      );
      const user = await createUser(api);
      await api.post('/api/v1/auth/logout', undefined, { token: user.token });
      await expect(connectSocket(testApp.baseUrl, { token: user.token })).rejects.toThrow(
        'Session expired or signed out',
      );
    });

    it('disconnects signed-in sockets, with a reason, when their session is logged out', async () => {
      const user = await createUser(api);
      const other = await createUser(api);
      const [socket, unrelated] = await Promise.all([
        client({ token: user.token }),
        client({ token: other.token }),
      ]);
      await joined(socket, 'logout-room');
      const ended = nextEvent(socket, 'session-ended');
      const disconnected = new Promise<string>((resolve) => socket.once('disconnect', resolve));
      expect((await api.post('/api/v1/auth/logout', undefined, { token: user.token })).status).toBe(
        204,
      );
      expect(await ended).toEqual(['signed-out']);
      expect(await disconnected).toBe('io server disconnect');
      await sleep(50);
      expect(unrelated.connected).toBe(true);
    });

    it('answers ICE servers with time-limited TURN credentials in the coturn REST scheme', async () => {
      const user = await createUser(api);
      const signedIn = await api.get<IceServersResponse>('/api/v1/ice-servers', {
        token: user.token,
      });
      const guest = await api.get<IceServersResponse>('/api/v1/ice-servers');
      for (const [response, identity] of [
        [signedIn, user.id],
        [guest, undefined],
      ] as const) {
        expect(response.status).toBe(200);
        expect(response.body.ttl).toBe(3600);
        expect(response.body.iceServers[0]).toEqual({ urls: ['stun:stun.example.com:3478'] });
        const turn = response.body.iceServers[1];
        expect(turn.urls).toEqual([
          'turn:turn.example.com:3478?transport=udp',
          'turns:turn.example.com:5349',
        ]);
        const [expiry, who] = (turn.username ?? '').split(':');
        expect(Number(expiry) - Date.now() / 1000).toBeGreaterThan(3590);
        expect(Number(expiry) - Date.now() / 1000).toBeLessThanOrEqual(3600);
        if (identity) expect(who).toBe(identity);
        else expect(who).toMatch(/^guest-/);
        expect(turn.credential).toBe(
          createHmac('sha1', 'turn-shared-secret')
            .update(turn.username ?? '')
            .digest('base64'),
        );
      }
      expect((await api.get('/api/v1/ice-servers', { token: 'forged' })).status).toBe(401);
      const socket = await client({ token: user.token });
      const view = await joined(socket, 'ice-room');
      expect(view.iceServers[1].username).toMatch(new RegExp(`^\\d+:${user.id}$`));
    });
  });

  describe('bad input never hurts the server or other sockets', () => {
    const cases: [string, string, unknown[]][] = [
      ['join-call without a room', 'join-call', []],
      ['join-call with a number', 'join-call', [42]],
      ['join-call with an object', 'join-call', [{ room: 'x' }]],
      ['join-call with a 10 KB id', 'join-call', ['r'.repeat(10_240)]],
      ['join-call with a blank id', 'join-call', ['   ']],
      ['join-call with a name that is an object', 'join-call', ['room', { $gt: '' }]],
      ['join-call with a 65-character name', 'join-call', ['room', 'n'.repeat(65)]],
      ['signal without arguments', 'signal', []],
      ['signal to a non-string', 'signal', [{ id: 'x' }, 'msg']],
      ['signal with a numeric payload', 'signal', ['someone', 12]],
      ['signal with an array payload', 'signal', ['someone', ['a']]],
      ['signal over 64 KB', 'signal', ['someone', 'x'.repeat(64 * 1024 + 1)]],
      ['signal object over 64 KB', 'signal', ['someone', { blob: 'x'.repeat(64 * 1024) }]],
      ['chat without text', 'chat-message', []],
      ['chat with a number', 'chat-message', [7]],
      ['chat that is only spaces', 'chat-message', ['    ']],
      ['chat over 2,000 characters', 'chat-message', ['c'.repeat(2001)]],
      ['media-state that is a string', 'media-state', ['on']],
      ['media-state with a missing field', 'media-state', [{ audio: true, video: false }]],
      [
        'media-state with non-booleans',
        'media-state',
        [{ audio: 'yes', video: false, screen: false }],
      ],
      ['raise-hand with a string', 'raise-hand', ['true']],
    ];

    it.each(cases)('answers %s with invalid-argument', async (_label, event, args) => {
      const socket = await client();
      if (event !== 'join-call') await joined(socket, 'bad-input-room');
      const answer = await request(socket, event, ...args);
      expect(errorCode(answer)).toBe('invalid-argument');
      expect(socket.connected).toBe(true);
    });

    it('keeps relaying for everyone while one socket sends garbage', async () => {
      const [noisy, a, b] = await Promise.all([client(), client(), client()]);
      await joined(a, 'steady');
      await joined(b, 'steady');
      const errors = record(noisy, 'signaling-error');
      const garbage: unknown[][] = [
        [],
        [null],
        [undefined, undefined],
        [[1, 2, 3]],
        [{ toString: 'x' }],
        ['x'.repeat(100_000)],
      ];
      for (const event of [
        'join-call',
        'signal',
        'chat-message',
        'media-state',
        'raise-hand',
        'leave-call',
      ]) {
        for (const args of garbage)
          (noisy.emit as (event: string, ...args: unknown[]) => void)(event, ...args);
      }
      (noisy.emit as (event: string, ...args: unknown[]) => void)('no-such-event', 'whatever');
      const relayed = nextEvent(b, 'signal');
      await request(a, 'signal', b.id, '{"ice":"still works"}');
      expect(await relayed).toEqual([a.id, '{"ice":"still works"}']);
      await eventually(() => errors.length >= 30);
      expect(noisy.connected).toBe(true);
    });

    it('closes a connection that sends a message over the size limit, and only that one', async () => {
      const [big, bystander] = await Promise.all([client(), client()]);
      const disconnected = new Promise<string>((resolve) => big.once('disconnect', resolve));
      big.emit('chat-message', 'x'.repeat(300 * 1024));
      expect(await disconnected).toBe('transport close');
      expect((await request(bystander, 'join-call', 'after-big')).ok).toBe(true);
    });
  });

  describe('presence', () => {
    it('reports room statistics and who is in a meeting, and leaves nothing behind', async () => {
      const user = await createUser(api);
      const before = (
        await api.get<{ rooms: number; participants: number; sockets: number }>(
          '/api/v1/rooms/stats',
          { token: user.token },
        )
      ).body;
      const sockets = await Promise.all([client(), client(), client()]);
      await joined(sockets[0], 'presence-a', 'First');
      await joined(sockets[1], 'http://x/meet/presence-a', 'Second');
      await joined(sockets[2], 'presence-b', 'Third');
      await request(sockets[1], 'media-state', { audio: true, video: false, screen: false });
      const stats = (await api.get<typeof before>('/api/v1/rooms/stats', { token: user.token }))
        .body;
      expect(stats).toEqual({
        rooms: before.rooms + 2,
        participants: before.participants + 3,
        sockets: before.sockets + 3,
      });
      const who = await api.get<
        { name: string; joinedAt: string; media: object; signedIn: boolean }[]
      >('/api/v1/meetings/presence-a/participants', { token: user.token });
      expect(who.body.map((participant) => participant.name)).toEqual(['First', 'Second']);
      expect(who.body[1]).toMatchObject({
        media: { audio: true, video: false, screen: false },
        signedIn: false,
      });
      expect(JSON.stringify(who.body)).not.toContain(sockets[0].id);
      expect((await api.get('/api/v1/rooms/stats')).status).toBe(401);
      expect((await api.get('/api/v1/meetings/presence-a/participants')).status).toBe(401);

      for (const socket of sockets) socket.close();
      await sleep(200);
      const after = (await api.get<typeof before>('/api/v1/rooms/stats', { token: user.token }))
        .body;
      expect(after).toEqual(before);
      expect(
        (
          await api.get<unknown[]>('/api/v1/meetings/presence-a/participants', {
            token: user.token,
          })
        ).body,
      ).toEqual([]);
    });
  });
});

describe('Signaling with guests disabled, short tokens and tight rate limits', () => {
  let testApp: TestApp;
  let api: ApiClient;

  beforeAll(async () => {
    testApp = await startTestApp({
      env: {
        ...FAST,
        SIGNALING_ALLOW_GUESTS: 'false',
        JWT_EXPIRES_IN: '3s',
        RATE_LIMIT_SOCKET_CHAT: '3',
        RATE_LIMIT_SOCKET_JOINS: '2',
      },
    });
    api = new ApiClient(testApp);
  });
  afterAll(() => testApp.close());

  it('refuses sockets without a token, and ICE servers to anonymous callers', async () => {
    await expect(connectSocket(testApp.baseUrl)).rejects.toThrow(
      'Sign-in required: guests are not allowed',
    );
    expect((await api.get('/api/v1/ice-servers')).status).toBe(401);
  });

  it('limits events per socket and kind, with a rate-limited error', async () => {
    const user = await createUser(api);
    const socket = await connectSocket(testApp.baseUrl, { token: user.token });
    try {
      expect((await request(socket, 'join-call', 'limited')).ok).toBe(true);
      const chats = await Promise.all(
        Array.from({ length: 5 }, (_, i) => request(socket, 'chat-message', `m${i}`)),
      );
      expect(chats.map((answer) => answer.ok)).toEqual([true, true, true, false, false]);
      expect(errorCode(chats[4])).toBe('rate-limited');
      expect((await request(socket, 'join-call', 'limited-2')).ok).toBe(true);
      expect(errorCode(await request(socket, 'join-call', 'limited-3'))).toBe('rate-limited');
      // Other kinds keep their own allowance.
      expect((await request(socket, 'raise-hand', true)).ok).toBe(true);
    } finally {
      socket.close();
    }
  });

  it('disconnects a socket when its token expires', async () => {
    const user = await createUser(api);
    const socket = await connectSocket(testApp.baseUrl, { token: user.token });
    const ended = nextEvent(socket, 'session-ended', 6_000);
    expect(await ended).toEqual(['token-expired']);
    await eventually(() => !socket.connected);
    await expect(connectSocket(testApp.baseUrl, { token: user.token })).rejects.toThrow(
      'Token expired',
    );
  });
});

describe('ICE servers rate limit (RATE_LIMIT_ICE_SERVERS_PER_MINUTE)', () => {
  it('hands out TURN credentials a few times a minute per guest address, and per user', async () => {
    const testApp = await startTestApp({
      env: {
        ...FAST,
        TURN_URLS: 'turn:turn.example.com:3478',
        TURN_SECRET: 'turn-shared-secret',
        RATE_LIMIT_ICE_SERVERS_PER_MINUTE: '3',
      },
    });
    const api = new ApiClient(testApp);
    try {
      await untilReady(testApp);
      const alice = await createUser(api);
      const bob = await createUser(api);
      const guestStatuses = [];
      for (let i = 0; i < 3; i++) guestStatuses.push((await api.get('/api/v1/ice-servers')).status);
      expect(guestStatuses).toEqual([200, 200, 200]);
      const refused = await api.get<{ error: string; status: number }>('/api/v1/ice-servers');
      expect(refused.status).toBe(429);
      expect(refused.body).toEqual({ error: 'Too many requests, try again later', status: 429 });
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(60);

      // Signed-in callers are counted per user, not per address.
      const asAlice = () => api.get('/api/v1/ice-servers', { token: alice.token });
      const aliceStatuses = [];
      for (let i = 0; i < 4; i++) aliceStatuses.push((await asAlice()).status);
      expect(aliceStatuses).toEqual([200, 200, 200, 429]);
      expect((await api.get('/api/v1/ice-servers', { token: bob.token })).status).toBe(200);
    } finally {
      await testApp.close();
    }
  });
});

(AGAINST_REAL_MONGODB ? describe.skip : describe)('Chat persistence', () => {
  it('replays chat to a late joiner after the server and its database restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'chat-'));
    let database = await EmbeddedMongoServer.start({ dataDir });
    let testApp = await startTestApp({ env: { ...FAST, DB_URI: database.uri('meet') } });
    const talker = await connectSocket(testApp.baseUrl);
    await joined(talker, 'http://localhost:5173/meet/persistent-room', 'Talker');
    for (const text of ['first', 'second', 'third'])
      expect((await request(talker, 'chat-message', text)).ok).toBe(true);
    talker.close();
    await sleep(100);
    await testApp.close();
    await database.stop();

    database = await EmbeddedMongoServer.start({ dataDir });
    testApp = await startTestApp({ env: { ...FAST, DB_URI: database.uri('meet') } });
    try {
      const late = await connectSocket(testApp.baseUrl);
      const replay = record(late, 'chat-message');
      for (let attempt = 0; attempt < 50 && replay.length === 0; attempt++) {
        await joined(late, 'persistent-room', 'Late');
        if (replay.length === 0) await sleep(100);
      }
      expect(replay.slice(0, 3).map(([text, sender]) => [text, sender])).toEqual([
        ['first', 'Talker'],
        ['second', 'Talker'],
        ['third', 'Talker'],
      ]);
      late.close();
    } finally {
      await testApp.close();
      await database.stop();
    }
  });

  it('stores chat sent during a database outage once it is back; beyond CHAT_BUFFER_MESSAGES refuses it (rate-limited, counted)', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'chat-outage-'));
    let database = await EmbeddedMongoServer.start({ dataDir });
    const port = database.port;
    const testApp = await startTestApp({
      env: {
        ...FAST,
        DB_URI: database.uri('meet'),
        CHAT_BUFFER_MESSAGES: '20',
        RATE_LIMIT_SOCKET_CHAT: '1000',
        METRICS_ENABLED: 'true',
      },
    });
    const [talker, listener] = await Promise.all([
      connectSocket(testApp.baseUrl),
      connectSocket(testApp.baseUrl),
    ]);
    const stored = async (): Promise<string[]> => {
      const reader = await mongoose.createConnection(database.uri('meet')).asPromise();
      try {
        const documents = await reader
          .collection('chat_messages')
          .find({ room: 'outage-chat' })
          .sort({ createdAt: 1, _id: 1 })
          .toArray();
        return documents.map((document) => String(document.text));
      } finally {
        await reader.close();
      }
    };
    try {
      await joined(talker, 'outage-chat', 'Talker');
      await joined(listener, 'outage-chat', 'Listener');
      await database.stop();
      const heard = record(listener, 'chat-message');
      // 20 wait to be stored; the next 5 are refused and reach nobody.
      const answers = [];
      for (let i = 0; i < 25; i++) answers.push(await request(talker, 'chat-message', `m${i}`));
      expect(answers.slice(0, 20).every((answer) => answer.ok)).toBe(true);
      expect(answers.slice(20).map((answer) => (answer.ok ? 'ok' : answer.error.code))).toEqual(
        Array(5).fill('rate-limited'),
      );
      await eventually(() => heard.length === 20);
      await sleep(200);
      expect(heard.map(([text]) => text)).toEqual(Array.from({ length: 20 }, (_, i) => `m${i}`));
      const metrics = await (await testApp.http('/metrics')).text();
      expect(metrics).toMatch(/^signaling_chat_messages_shed_total 5$/m);
      expect(metrics).toMatch(/^signaling_chat_messages_unsaved 20$/m);

      // The database comes back: the 20 are stored, once each, in order; chat is taken again.
      database = await EmbeddedMongoServer.start({ dataDir, port });
      const deadline = Date.now() + 15_000;
      let texts: string[] = [];
      while (texts.length < 20 && Date.now() < deadline) {
        await sleep(250);
        texts = await stored().catch(() => []);
      }
      expect(texts).toEqual(Array.from({ length: 20 }, (_, i) => `m${i}`));
      expect((await request(talker, 'chat-message', 'after')).ok).toBe(true);
    } finally {
      talker.close();
      listener.close();
      await testApp.close();
      await database.stop();
    }
  }, 40_000);

  it("replays a live room's history from memory: a late joiner gets it at once while the database is down", async () => {
    const testApp = await startTestApp({ env: FAST });
    const [first, late] = await Promise.all([
      connectSocket(testApp.baseUrl),
      connectSocket(testApp.baseUrl),
    ]);
    try {
      await joined(first, 'memory-room', 'First');
      for (const text of ['one', 'two', 'three'])
        expect((await request(first, 'chat-message', text)).ok).toBe(true);
      await sleep(300);
      await testApp.database?.embedded?.stop();
      const replay = record(late, 'chat-message');
      const started = Date.now();
      await joined(late, 'memory-room', 'Late');
      // No wait for the database (a join waits up to 1 s for it otherwise).
      expect(Date.now() - started).toBeLessThan(500);
      expect(replay.map(([text, sender]) => [text, sender])).toEqual([
        ['one', 'First'],
        ['two', 'First'],
        ['three', 'First'],
      ]);
    } finally {
      first.close();
      late.close();
      await testApp.close();
    }
  }, 30_000);

  it('reads no history for a room that never had a message, and once for a room with stored chat however many join it at once', async () => {
    const testApp = await startTestApp({ env: FAST });
    // The real model, watched: how often a room's chat history is read.
    const messages = testApp.app.get<Model<ChatMessage>>(getModelToken(ChatMessage.name));
    const find = messages.find.bind(messages);
    let reads = 0;
    messages.find = ((...args: Parameters<typeof find>) => {
      reads += 1;
      return find(...args);
    }) as typeof messages.find;
    const sockets = await Promise.all(
      Array.from({ length: 8 }, () => connectSocket(testApp.baseUrl)),
    );
    try {
      // The app learns at start which rooms have chat (a moment, in the background).
      await sleep(300);
      await Promise.all(sockets.map((socket, i) => joined(socket, 'brand-new-room', `P${i}`)));
      expect(reads).toBe(0);

      // A room whose chat is stored, and empty (nothing of it kept in memory).
      const [first] = sockets;
      await joined(first, 'storm-room', 'First');
      expect((await request(first, 'chat-message', 'hello storm')).ok).toBe(true);
      expect((await request(first, 'leave-call')).ok).toBe(true);
      await sleep(300);
      reads = 0;
      const chats = sockets.map((socket) => record(socket, 'chat-message'));
      await Promise.all(sockets.map((socket, i) => joined(socket, 'storm-room', `P${i}`)));
      expect(reads).toBe(1);
      await eventually(() => chats.every((seen) => seen.length === 1));
      await sleep(200);
      for (const seen of chats) expect(seen).toEqual([['hello storm', 'First', first.id]]);
    } finally {
      for (const socket of sockets) socket.close();
      await testApp.close();
    }
  }, 30_000);

  it('keeps delivering chat live while the database is down', async () => {
    const testApp = await startTestApp({ env: FAST });
    const [a, b] = await Promise.all([
      connectSocket(testApp.baseUrl),
      connectSocket(testApp.baseUrl),
    ]);
    try {
      await joined(a, 'db-down');
      await joined(b, 'db-down');
      await testApp.database?.embedded?.stop();
      const seen = nextEvent(b, 'chat-message');
      expect((await request(a, 'chat-message', 'still here')).ok).toBe(true);
      expect(await seen).toEqual(['still here', 'Guest', a.id]);
      const relayed = nextEvent(b, 'signal');
      a.emit('signal', b.id!, '{"sdp":"x"}');
      expect((await relayed)[1]).toBe('{"sdp":"x"}');
    } finally {
      a.close();
      b.close();
      await testApp.close();
    }
  }, 30_000);
});

/**
 * The whole app for one describe block, with real Socket.IO clients that are closed after
 * it: `suite.client()` connects one, `suite.api` signs users up and creates meetings.
 */
function useSignalingApp(env: Record<string, string>): {
  client(options?: Parameters<typeof connectSocket>[1]): Promise<TestSocket>;
  readonly api: ApiClient;
} {
  let testApp: TestApp | undefined;
  let api: ApiClient | undefined;
  const open: TestSocket[] = [];
  beforeAll(async () => {
    testApp = await startTestApp({ env });
    api = new ApiClient(testApp);
  });
  afterAll(async () => {
    for (const socket of open) socket.close();
    await testApp?.close();
  });
  return {
    async client(options = {}) {
      if (!testApp) throw new Error('the app is not started yet');
      const socket = await connectSocket(testApp.baseUrl, options);
      open.push(socket);
      return socket;
    },
    get api() {
      if (!api) throw new Error('the app is not started yet');
      return api;
    },
  };
}

describe('Signaling: guests, repeated joins, replay order and names', () => {
  const suite = useSignalingApp({ ...FAST, CHAT_HISTORY_LIMIT: '1000' });
  const client = (options: Parameters<typeof connectSocket>[1] = {}): Promise<TestSocket> =>
    suite.client(options);

  it("marks guests, and suffixes a guest who takes a signed-in member's name", async () => {
    const ada = await createUser(suite.api, { name: 'Ada Lovelace' });
    const member = await client({ token: ada.token });
    await joined(member, 'who-is-who');
    const impostor = await client();
    const answer = await joined(impostor, 'who-is-who', 'ADA LOVELACE');
    expect(answer.participants.map(({ name, guest, userId }) => [name, guest, userId])).toEqual([
      ['Ada Lovelace', false, ada.id],
      ['ADA LOVELACE (guest)', true, undefined],
    ]);
    // Nobody reported media yet: unknown, not "muted with the camera off".
    expect(answer.participants.map(({ media }) => media)).toEqual([null, null]);
    // A per-message sender name is ignored: the room sees the guest's name.
    const heard = nextEvent(member, 'chat-message');
    expect((await request(impostor, 'chat-message', 'trust me', 'Ada Lovelace')).ok).toBe(true);
    expect(await heard).toEqual(['trust me', 'ADA LOVELACE (guest)', impostor.id]);
  });

  it('answers a repeated join of the same room with its state, without replay or announcement', async () => {
    const alice = await client();
    const bob = await client();
    await joined(alice, 'joined-twice', 'Alice');
    await joined(bob, 'joined-twice', 'Bob');
    expect((await request(alice, 'chat-message', 'once')).ok).toBe(true);
    await sleep(100);
    const aliceHears = record(alice, 'user-joined');
    const bobHears = [record(bob, 'user-joined'), record(bob, 'chat-message')];
    const again = await joined(bob, 'joined-twice', 'Bob');
    expect(again.participants.map(({ socketId }) => socketId)).toEqual([alice.id, bob.id]);
    await sleep(200);
    expect(aliceHears).toEqual([]);
    expect(bobHears).toEqual([[], []]);
  });

  it('gives a late joiner the history first, then live messages, none twice or missing', async () => {
    const senders = await Promise.all([client(), client(), client()]);
    for (const [i, sender] of senders.entries()) await joined(sender, 'busy-room', `S${i}`);
    const perSender = 25;
    let acked = 0;
    const sent = senders.map((sender, i) =>
      (async () => {
        for (let n = 0; n < perSender; n++) {
          await request(sender, 'chat-message', `${i}:${n}`);
          acked += 1;
        }
      })(),
    );
    // Join while the senders are mid-way: part of the chat is history, the rest live.
    await eventually(() => acked >= (senders.length * perSender) / 3, 10_000);
    const late = await client();
    const received = record(late, 'chat-message');
    await joined(late, 'busy-room', 'Late');
    expect(acked).toBeLessThan(senders.length * perSender);
    await Promise.all(sent);
    await eventually(() => received.length >= senders.length * perSender, 5_000);
    await sleep(100);
    const texts = received.map(([text]) => text);
    expect(new Set(texts).size).toBe(texts.length);
    expect(texts).toHaveLength(senders.length * perSender);
    // Each sender's messages arrive in the order sent: a live message never overtakes the replay.
    for (let i = 0; i < senders.length; i++) {
      const order = texts
        .filter((text) => text.startsWith(`${i}:`))
        .map((t) => Number(t.split(':')[1]));
      expect(order).toEqual([...order].sort((a, b) => a - b));
    }
  });

  it('refuses a signal nested too deeply, and the socket goes on working', async () => {
    const deep = await client();
    const peer = await client();
    await joined(deep, 'deep-signals', 'Deep');
    await joined(peer, 'deep-signals', 'Peer');
    // Written as a raw Socket.IO packet: a client's own JSON.stringify would refuse it too.
    const levels = 6_000;
    const deepJson = `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
    const refused = nextEvent(deep, 'signaling-error');
    (deep.io.engine as unknown as { write(data: string): void }).write(
      `2["signal",${JSON.stringify(peer.id)},${deepJson}]`,
    );
    expect(await refused).toEqual([
      'signal',
      expect.objectContaining({ code: 'invalid-argument' }),
    ]);
    // The socket's later events are still answered, and its departure still announced.
    const signal = nextEvent(peer, 'signal');
    expect((await request(deep, 'signal', peer.id, { sdp: { type: 'offer' } })).ok).toBe(true);
    expect(await signal).toEqual([deep.id, { sdp: { type: 'offer' } }]);
    const left = nextEvent(peer, 'user-left');
    const deepId = deep.id;
    deep.close();
    expect((await left)[0]).toBe(deepId);
  });

  it('stores chat from a signed-in user whose name is as long as sign-up allows', async () => {
    const longName = 'N'.repeat(100);
    const user = await createUser(suite.api, { name: longName });
    const speaker = await client({ token: user.token });
    await joined(speaker, 'long-names');
    expect((await request(speaker, 'chat-message', 'kept')).ok).toBe(true);
    await sleep(200);
    const late = await client();
    const replay = record(late, 'chat-message');
    await joined(late, 'long-names', 'Late');
    await eventually(() => replay.length === 1);
    expect(replay[0]).toEqual(['kept', longName, speaker.id]);
  });
});

describe('Signaling: joining a registered meeting (passcode, guests, host role)', () => {
  const suite = useSignalingApp({ ...FAST, RATE_LIMIT_PASSCODE_FAILURES: '3' });
  const client = (options: Parameters<typeof connectSocket>[1] = {}): Promise<TestSocket> =>
    suite.client(options);
  async function createMeeting(token: string, settings: object): Promise<string> {
    const created = await suite.api.post<{ code: string }>('/api/v1/meetings', settings, { token });
    expect(created.status).toBe(201);
    return created.body.code;
  }

  it('checks guests, then the passcode; the host is exempt and has the host role', async () => {
    const hostUser = await createUser(suite.api, { name: 'Hana Host' });
    const code = await createMeeting(hostUser.token, { passcode: 'blue-7', allowGuests: false });
    const isLive = async () =>
      (await suite.api.get<{ live: boolean }>(`/api/v1/meetings/${code}`)).body.live;
    expect(await isLive()).toBe(false);
    const host = await client({ token: hostUser.token });
    const hostJoin = await joined(host, code.toUpperCase());
    expect(hostJoin.roomId).toBe(code);
    expect(hostJoin.participants.map(({ role }) => role)).toEqual(['host']);
    expect(await isLive()).toBe(true);

    const guest = await client();
    expect(errorCode(await request(guest, 'join-call', code, 'Gus'))).toBe('guests-not-allowed');
    expect(errorCode(await request(guest, 'join-call', code, 'Gus', { passcode: 'blue-7' }))).toBe(
      'guests-not-allowed',
    );

    const member = await createUser(suite.api, { name: 'Mia Member' });
    const socket = await client({ token: member.token });
    expect(errorCode(await request(socket, 'join-call', code))).toBe('passcode-required');
    expect(errorCode(await request(socket, 'join-call', code, null, { passcode: 'red-7' }))).toBe(
      'wrong-passcode',
    );
    const answer = await request(socket, 'join-call', code, null, { passcode: 'blue-7' });
    expect(answer.ok).toBe(true);
    expect(
      (answer.participants as ParticipantView[]).map(({ name, role }) => [name, role]),
    ).toEqual([
      ['Hana Host', 'host'],
      ['Mia Member', 'participant'],
    ]);
    // Bad options are refused as such.
    expect(errorCode(await request(socket, 'join-call', code, null, 'blue-7'))).toBe(
      'invalid-argument',
    );
    expect(errorCode(await request(socket, 'join-call', code, null, { passcode: 7 }))).toBe(
      'invalid-argument',
    );
  });

  it('limits wrong passcodes, and leaves open rooms and unknown codes as they were', async () => {
    const hostUser = await createUser(suite.api, { name: 'Owner' });
    const code = await createMeeting(hostUser.token, { passcode: '1234', muteOnEntry: true });
    const guesser = await client();
    const tries = [];
    for (const guess of ['0000', '1111', '2222', '3333']) {
      tries.push(errorCode(await request(guesser, 'join-call', code, 'G', { passcode: guess })));
    }
    expect(tries).toEqual(['wrong-passcode', 'wrong-passcode', 'wrong-passcode', 'rate-limited']);
    const other = await client({ token: (await createUser(suite.api)).token });
    const allowed = await request(other, 'join-call', code, null, { passcode: '1234' });
    expect(allowed.ok).toBe(true);
    expect(allowed.muteOnEntry).toBe(true);

    // A code nobody registered, and any other room id, are open rooms.
    const visitor = await client();
    expect((await joined(visitor, 'zzz-zzzz-zzz', 'V')).participants[0].role).toBe('participant');
    expect((await joined(visitor, 'team-room', 'V')).muteOnEntry).toBeUndefined();
  });
});

describe('Signaling behind a reverse proxy (TRUST_PROXY)', () => {
  const suite = useSignalingApp({
    ...FAST,
    RATE_LIMIT_PASSCODE_FAILURES: '3',
    TRUST_PROXY: 'loopback',
  });

  it("keys a guest's wrong passcodes on its own address, not the proxy's", async () => {
    const hostUser = await createUser(suite.api, { name: 'Proxy Host' });
    const created = await suite.api.post<{ code: string }>(
      '/api/v1/meetings',
      { passcode: '1234' },
      { token: hostUser.token },
    );
    const code = created.body.code;
    const guesser = await suite.client({ headers: { 'X-Forwarded-For': '203.0.113.7' } });
    const tries = [];
    for (const guess of ['0000', '1111', '2222', '3333']) {
      tries.push(errorCode(await request(guesser, 'join-call', code, 'G', { passcode: guess })));
    }
    expect(tries).toEqual(['wrong-passcode', 'wrong-passcode', 'wrong-passcode', 'rate-limited']);
    // Another guest behind the same proxy is not locked out by the first one's guesses.
    const other = await suite.client({ headers: { 'X-Forwarded-For': '198.51.100.9' } });
    expect((await request(other, 'join-call', code, 'O', { passcode: '1234' })).ok).toBe(true);
  });
});

describe('Signaling: host actions in a registered meeting', () => {
  const suite = useSignalingApp(FAST);
  const client = (options: Parameters<typeof connectSocket>[1] = {}): Promise<TestSocket> =>
    suite.client(options);

  async function meetingWithThree(): Promise<{
    host: TestSocket;
    alice: TestSocket;
    bob: TestSocket;
    code: string;
  }> {
    const owner = await createUser(suite.api, { name: 'Owner' });
    const created = await suite.api.post<{ code: string }>(
      '/api/v1/meetings',
      {},
      { token: owner.token },
    );
    const code = created.body.code;
    const host = await client({ token: owner.token });
    const alice = await client();
    const bob = await client();
    await joined(host, code);
    await joined(alice, code, 'Alice');
    await joined(bob, code, 'Bob');
    return { host, alice, bob, code };
  }

  it('co-hosts, mute requests, removal and ending, each refused to those who may not', async () => {
    const { host, alice, bob } = await meetingWithThree();
    // Participants may not moderate.
    expect(errorCode(await request(alice, 'mute-participant', bob.id))).toBe('not-allowed');
    expect(errorCode(await request(alice, 'remove-participant', host.id))).toBe('not-allowed');
    expect(errorCode(await request(alice, 'set-role', bob.id, 'cohost'))).toBe('not-allowed');
    expect(errorCode(await request(alice, 'end-meeting'))).toBe('not-allowed');

    // The host names Alice co-host; everyone hears it.
    const heard = nextEvent(bob, 'role-changed');
    expect((await request(host, 'set-role', alice.id, 'cohost')).ok).toBe(true);
    expect(await heard).toEqual([alice.id, 'cohost']);

    // A co-host asks Bob to mute, and cannot remove the host.
    const asked = nextEvent(bob, 'mute-request');
    expect((await request(alice, 'mute-participant', bob.id)).ok).toBe(true);
    expect(await asked).toEqual([]);
    expect(errorCode(await request(alice, 'remove-participant', host.id))).toBe('not-allowed');

    // Bad arguments and unknown targets.
    expect(errorCode(await request(host, 'set-role', alice.id, 'host'))).toBe('invalid-argument');
    expect(errorCode(await request(host, 'mute-participant', 42))).toBe('invalid-argument');
    expect(errorCode(await request(host, 'remove-participant', 'no-such-socket'))).toBe(
      'not-found',
    );
    expect(errorCode(await request(host, 'remove-participant', bob.id, { ban: 'yes' }))).toBe(
      'invalid-argument',
    );

    // Removing Bob: he hears it and stays connected; the others hear user-left.
    const removed = nextEvent(bob, 'removed');
    const left = nextEvent(host, 'user-left');
    expect((await request(alice, 'remove-participant', bob.id)).ok).toBe(true);
    expect(await removed).toEqual([{ banned: false }]);
    expect((await left)[0]).toBe(bob.id);
    expect(bob.connected).toBe(true);
    expect(errorCode(await request(bob, 'chat-message', 'still here?'))).toBe('not-in-room');
    expect(errorCode(await request(bob, 'signal', host.id, '{"sdp":"x"}'))).toBe(
      'target-not-in-room',
    );

    // Ending the meeting takes everyone out.
    const ended = [host, alice].map((socket) => nextEvent(socket, 'meeting-ended'));
    expect((await request(host, 'end-meeting')).ok).toBe(true);
    await Promise.all(ended);
    expect(errorCode(await request(alice, 'chat-message', 'anyone?'))).toBe('not-in-room');
  });

  it('locks the live session: newcomers are refused until unlocked', async () => {
    const { host, alice, code } = await meetingWithThree();
    expect(errorCode(await request(alice, 'update-meeting', { locked: true }))).toBe('not-allowed');
    expect(errorCode(await request(host, 'update-meeting', { waitingRoom: 'sometimes' }))).toBe(
      'invalid-argument',
    );
    expect(errorCode(await request(host, 'update-meeting', { locked: 'yes' }))).toBe(
      'invalid-argument',
    );
    expect(errorCode(await request(host, 'update-meeting', {}))).toBe('invalid-argument');
    const updated = nextEvent(alice, 'meeting-updated');
    const answer = await request(host, 'update-meeting', { locked: true, muteOnEntry: true });
    expect(answer.ok).toBe(true);
    expect(await updated).toEqual([{ locked: true, muteOnEntry: true, waitingRoom: 'off' }]);
    const late = await client();
    expect(errorCode(await request(late, 'join-call', code, 'Late'))).toBe('meeting-locked');
    expect((await request(host, 'update-meeting', { locked: false })).ok).toBe(true);
    const announced = nextEvent(host, 'participant-joined');
    const admitted = await request(late, 'join-call', code, 'Late');
    expect(admitted.ok).toBe(true);
    expect(admitted.muteOnEntry).toBe(true);
    expect(admitted.meeting).toEqual({ locked: false, muteOnEntry: true, waitingRoom: 'off' });
    expect((await announced)[0]).toMatchObject({
      socketId: late.id,
      name: 'Late',
      role: 'participant',
      guest: true,
    });
  });

  it('bans an account until its host lifts the ban, on any device; a guest for its connection', async () => {
    const owner = await createUser(suite.api, { name: 'Banning Host' });
    const created = await suite.api.post<{ code: string }>(
      '/api/v1/meetings',
      {},
      { token: owner.token },
    );
    const code = created.body.code;
    const host = await client({ token: owner.token });
    await joined(host, code);
    const troll = await createUser(suite.api, { name: 'Troll' });
    const trollSocket = await client({ token: troll.token });
    await joined(trollSocket, code);
    const removed = nextEvent(trollSocket, 'removed');
    expect((await request(host, 'remove-participant', trollSocket.id, { ban: true })).ok).toBe(
      true,
    );
    expect(await removed).toEqual([{ banned: true }]);
    expect(errorCode(await request(trollSocket, 'join-call', code))).toBe('banned');
    const otherDevice = await client({ token: troll.token });
    expect(errorCode(await request(otherDevice, 'join-call', code))).toBe('banned');

    // The host sees the ban and lifts it; only the host may.
    const view = await suite.api.get<{ bannedUserIds: string[] }>(`/api/v1/meetings/${code}`, {
      token: owner.token,
    });
    expect(view.body.bannedUserIds).toEqual([troll.id]);
    const lift = `/api/v1/meetings/${code}/bans/${troll.id}`;
    expect((await suite.api.delete(lift, { token: troll.token })).status).toBe(403);
    expect(
      (
        await suite.api.delete(`/api/v1/meetings/zzz-zzzz-zzz/bans/${troll.id}`, {
          token: owner.token,
        })
      ).status,
    ).toBe(404);
    expect((await suite.api.delete(lift, { token: owner.token })).status).toBe(204);
    expect((await request(otherDevice, 'join-call', code)).ok).toBe(true);

    // A guest's ban covers its connection only.
    const guest = await client();
    await joined(guest, code, 'Guest');
    expect((await request(host, 'remove-participant', guest.id, { ban: true })).ok).toBe(true);
    expect(errorCode(await request(guest, 'join-call', code, 'Guest'))).toBe('banned');
    const newGuest = await client();
    expect((await request(newGuest, 'join-call', code, 'Guest')).ok).toBe(true);
  });

  it('deleting a meeting ends its call for everyone, waiting room included (host only)', async () => {
    const owner = await createUser(suite.api, { name: 'Deleting Host' });
    const created = await suite.api.post<{ code: string }>(
      '/api/v1/meetings',
      { waitingRoom: 'guests' },
      { token: owner.token },
    );
    const code = created.body.code;
    const host = await client({ token: owner.token });
    await joined(host, code);
    const member = await createUser(suite.api, { name: 'Member' });
    const memberSocket = await client({ token: member.token });
    await joined(memberSocket, code);
    const waiting = await client();
    expect(await request(waiting, 'join-call', code, 'Waiting')).toEqual({
      ok: true,
      waiting: true,
      roomId: code,
    });

    // Only its host; in any case of the code.
    expect(
      (await suite.api.delete(`/api/v1/meetings/${code}`, { token: member.token })).status,
    ).toBe(403);
    expect(
      (await suite.api.delete('/api/v1/meetings/zzz-zzzz-zzz', { token: owner.token })).status,
    ).toBe(404);
    expect((await suite.api.delete(`/api/v1/meetings/${code}`)).status).toBe(401);
    const ended = [host, memberSocket, waiting].map((socket) => nextEvent(socket, 'meeting-ended'));
    const deleted = await suite.api.delete(`/api/v1/meetings/${code.toUpperCase()}`, {
      token: owner.token,
    });
    expect(deleted.status).toBe(204);
    await Promise.all(ended);
    expect(errorCode(await request(memberSocket, 'chat-message', 'anyone?'))).toBe('not-in-room');
    expect((await suite.api.get(`/api/v1/meetings/${code}`)).status).toBe(404);
    expect(
      (await suite.api.delete(`/api/v1/meetings/${code}`, { token: owner.token })).status,
    ).toBe(404);
    const hosted = await suite.api.get<{ items: { code: string }[] }>('/api/v1/meetings', {
      token: owner.token,
    });
    expect(hosted.body.items.map((meeting) => meeting.code)).not.toContain(code);
  });

  it('asks everyone but the hosts to mute', async () => {
    const { host, alice, bob } = await meetingWithThree();
    const hostHears = record(host, 'mute-request');
    const asked = [alice, bob].map((socket) => nextEvent(socket, 'mute-request'));
    expect((await request(host, 'mute-all')).ok).toBe(true);
    await Promise.all(asked);
    await sleep(100);
    expect(hostHears).toEqual([]);
  });
});

describe('Signaling: the waiting room of a registered meeting', () => {
  const suite = useSignalingApp(FAST);
  const client = (options: Parameters<typeof connectSocket>[1] = {}): Promise<TestSocket> =>
    suite.client(options);

  it('holds guests (even before the host arrives) until admitted or denied', async () => {
    const owner = await createUser(suite.api, { name: 'Lobby Host' });
    const created = await suite.api.post<{ code: string; waitingRoom: string }>(
      '/api/v1/meetings',
      { waitingRoom: 'guests' },
      { token: owner.token },
    );
    expect(created.body.waitingRoom).toBe('guests');
    const code = created.body.code;

    const early = await client();
    expect(await request(early, 'join-call', code, 'Early')).toEqual({
      ok: true,
      waiting: true,
      roomId: code,
    });
    // Waiting is not being in the call.
    expect(errorCode(await request(early, 'chat-message', 'let me in'))).toBe('not-in-room');

    const host = await client({ token: owner.token });
    const hostJoin = await request(host, 'join-call', code);
    expect(
      (hostJoin.lobby as { name: string; signedIn: boolean }[]).map((e) => [e.name, e.signedIn]),
    ).toEqual([['Early', false]]);
    const second = await client();
    const lobby = nextEvent(host, 'lobby-updated');
    expect((await request(second, 'join-call', code, 'Second')).waiting).toBe(true);
    expect(((await lobby)[0] as { socketId: string }[]).map((e) => e.socketId)).toEqual([
      early.id,
      second.id,
    ]);

    // A waiting socket hears nothing of the call and cannot signal into it.
    const overheard = [
      record(second, 'chat-message'),
      record(second, 'user-joined'),
      record(second, 'media-state'),
    ];
    expect(errorCode(await request(second, 'signal', host.id, '{"sdp":"sneak"}'))).toBe(
      'target-not-in-room',
    );
    expect((await request(host, 'chat-message', 'private')).ok).toBe(true);
    expect(
      (await request(host, 'media-state', { audio: true, video: false, screen: false })).ok,
    ).toBe(true);
    expect(errorCode(await request(host, 'admit', 42))).toBe('invalid-argument');
    expect(errorCode(await request(host, 'deny'))).toBe('invalid-argument');

    // Admitted: in the call, with the join answer; everyone hears user-joined.
    const admitted = nextEvent(early, 'admitted');
    const joinedHeard = nextEvent(host, 'user-joined');
    expect((await request(host, 'admit', early.id)).ok).toBe(true);
    const [result] = await admitted;
    expect(result.participants.map((p) => p.socketId)).toEqual([host.id, early.id]);
    expect((await joinedHeard)[0]).toBe(early.id);
    const signal = nextEvent(host, 'signal');
    expect((await request(early, 'signal', host.id, '{"sdp":"hello"}')).ok).toBe(true);
    expect((await signal)[0]).toBe(early.id);

    // Denied, and refusals for participants and unknown ids.
    expect(errorCode(await request(early, 'deny', second.id))).toBe('not-allowed');
    expect(errorCode(await request(host, 'admit', 'nobody'))).toBe('not-found');
    const denied = nextEvent(second, 'denied');
    expect((await request(host, 'deny', second.id)).ok).toBe(true);
    await denied;
    expect(errorCode(await request(second, 'chat-message', 'hello?'))).toBe('not-in-room');
    expect(overheard).toEqual([[], [], []]);
  });
});

describe('Signaling: a sign-out ends the place of a dropped connection', () => {
  const suite = useSignalingApp({ ...FAST, RECONNECT_GRACE: '60s' });

  it('announces user-left at once when the session is signed out while the socket is away', async () => {
    const member = await createUser(suite.api, { name: 'Away Member' });
    const socket = await suite.client({ token: member.token });
    const peer = await suite.client();
    await joined(socket, 'sign-out-room');
    await joined(peer, 'sign-out-room', 'Peer');
    const memberId = socket.id;
    const reconnecting = nextEvent(peer, 'participant-reconnecting');
    socket.io.engine.close();
    expect(await reconnecting).toEqual([memberId]);
    const left = nextEvent(peer, 'user-left', 5_000);
    const signedOut = Date.now();
    const logout = await suite.api.post('/api/v1/auth/logout', undefined, {
      token: member.token,
    });
    expect(logout.status).toBe(204);
    expect((await left)[0]).toBe(memberId);
    expect(Date.now() - signedOut).toBeLessThan(3_000);
    // Repeating its join shows the room as it is now: the peer alone.
    const room = await joined(peer, 'sign-out-room', 'Peer');
    expect(room.participants.map((p) => p.socketId)).toEqual([peer.id]);
  });
});

describe('Signaling: a dropped connection keeps its place no longer than its token', () => {
  const suite = useSignalingApp({ ...FAST, RECONNECT_GRACE: '60s', JWT_EXPIRES_IN: '4s' });

  it('ends the time away when the token expires, not at the end of the grace window', async () => {
    const member = await createUser(suite.api, { name: 'Short Token' });
    const socket = await suite.client({ token: member.token });
    const peer = await suite.client();
    await joined(socket, 'token-room');
    await joined(peer, 'token-room', 'Peer');
    const memberId = socket.id;
    const reconnecting = nextEvent(peer, 'participant-reconnecting');
    const left = nextEvent(peer, 'user-left', 10_000);
    const dropped = Date.now();
    socket.io.engine.close();
    expect(await reconnecting).toEqual([memberId]);
    expect((await left)[0]).toBe(memberId);
    // Within a few seconds of the drop (the token's 4 s at most), never the 60 s window.
    expect(Date.now() - dropped).toBeLessThan(8_000);
  });
});

describe('Signaling: a dropped connection keeps its place for RECONNECT_GRACE', () => {
  const suite = useSignalingApp({ ...FAST, RECONNECT_GRACE: '2s' });

  /** Cuts the socket's transport as a network drop would; the client reconnects by itself. */
  function drop(socket: TestSocket): void {
    socket.io.engine.close();
  }

  it('comes back in time with its id, room, role and media state; nobody sees it leave; it gets what it missed', async () => {
    const owner = await createUser(suite.api, { name: 'Grace Host' });
    const created = await suite.api.post<{ code: string }>(
      '/api/v1/meetings',
      {},
      { token: owner.token },
    );
    const code = created.body.code;
    const host = await suite.client({ token: owner.token, reconnect: true });
    const peer = await suite.client();
    await joined(host, code);
    await joined(peer, code, 'Peer');
    const media = { audio: false, video: true, screen: false };
    expect((await request(host, 'media-state', media)).ok).toBe(true);
    const hostId = host.id;
    const left = record(peer, 'user-left');
    const joins = record(peer, 'user-joined');

    const reconnecting = nextEvent(peer, 'participant-reconnecting');
    const back = nextEvent(peer, 'participant-reconnected', 5_000);
    const missed = nextEvent(host, 'chat-message', 5_000);
    const recovered = new Promise<void>((resolve) => host.once('connect', () => resolve()));
    drop(host);
    expect(await reconnecting).toEqual([hostId]);
    // While it is away, the room still counts it once, and chat for it is kept.
    expect((await request(peer, 'chat-message', 'while you were away')).ok).toBe(true);
    await recovered;
    expect(host.recovered).toBe(true);
    expect(host.id).toBe(hostId);
    expect(await back).toEqual([hostId]);
    expect((await missed)[0]).toBe('while you were away');
    // Same place: the host still moderates, signals flow both ways, state is as it was.
    const again = await joined(host, code);
    expect(
      again.participants.map(({ socketId, role, media: state }) => [socketId, role, state]),
    ).toEqual([
      [hostId, 'host', media],
      [peer.id, 'participant', null],
    ]);
    const signal = nextEvent(peer, 'signal');
    expect((await request(host, 'signal', peer.id, '{"sdp":"after"}')).ok).toBe(true);
    expect((await signal)[0]).toBe(hostId);
    expect((await request(host, 'mute-participant', peer.id)).ok).toBe(true);
    await sleep(2_500);
    expect(left).toEqual([]);
    expect(joins).toEqual([]);
    const stats = await suite.api.get<{ participants: number }>('/api/v1/rooms/stats', {
      token: owner.token,
    });
    expect(stats.body.participants).toBe(2);
  }, 15_000);

  it('leaves for good when it does not come back in time; coming back later is a new join', async () => {
    const late = await suite.client();
    const peer = await suite.client();
    await joined(late, 'grace-too-late', 'Late');
    await joined(peer, 'grace-too-late', 'Peer');
    const lateId = late.id;
    const left = nextEvent(peer, 'user-left', 5_000);
    // Dropped with no way back: reconnection is off for this client.
    drop(late);
    const started = Date.now();
    expect((await left)[0]).toBe(lateId);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_500);
    const newcomer = await suite.client();
    const heard = nextEvent(peer, 'user-joined');
    const answer = await joined(newcomer, 'grace-too-late', 'Late');
    expect(answer.participants.map((p) => p.socketId)).toEqual([peer.id, newcomer.id]);
    expect((await heard)[0]).toBe(newcomer.id);
  }, 15_000);

  it('ends at once with leave-call or a disconnect the client asks for', async () => {
    const leaver = await suite.client();
    const closer = await suite.client();
    const peer = await suite.client();
    for (const [socket, name] of [
      [leaver, 'Leaver'],
      [closer, 'Closer'],
      [peer, 'Peer'],
    ] as const)
      await joined(socket, 'grace-explicit', name);
    const reconnecting = record(peer, 'participant-reconnecting');
    const left = nextEvent(peer, 'user-left', 1_000);
    expect((await request(leaver, 'leave-call')).ok).toBe(true);
    expect((await left)[0]).toBe(leaver.id);
    const closed = nextEvent(peer, 'user-left', 1_000);
    const closerId = closer.id;
    closer.disconnect();
    expect((await closed)[0]).toBe(closerId);
    expect(reconnecting).toEqual([]);
  });

  it('ends at once when its session is signed out', async () => {
    const user = await createUser(suite.api, { name: 'Signing Out' });
    const member = await suite.client({ token: user.token, reconnect: true });
    const peer = await suite.client();
    await joined(member, 'grace-sign-out');
    await joined(peer, 'grace-sign-out', 'Peer');
    const memberId = member.id;
    const left = nextEvent(peer, 'user-left', 1_500);
    expect(
      (await suite.api.post('/api/v1/auth/logout', {}, { token: user.token })).status,
    ).toBeLessThan(300);
    expect((await left)[0]).toBe(memberId);
  });
});
