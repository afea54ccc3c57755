import { createHmac } from 'node:crypto';
import { ConfigService } from '@nestjs/config';
import { Test, type TestingModule } from '@nestjs/testing';
import type { AuthenticatedUser } from '../../auth/authenticated-user.js';
import { type AppConfig, loadConfiguration } from '../../config/configuration.js';
import { MetricsService } from '../../metrics/metrics.service.js';
import {
  ChatHistoryRepository,
  type ChatLine,
  type StoredChatLine,
} from '../chat/chat-history.repository.js';
import { SignalingFailure } from '../protocol/errors.js';
import type {
  JoinResult,
  ServerEventArgs,
  ServerEventName,
  WaitingResult,
  WaitingRoomMode,
} from '../protocol/events.js';
import { InMemoryRoomRegistry } from '../rooms/in-memory-room-registry.js';
import { InstanceHeartbeat } from '../rooms/instance-heartbeat.js';
import {
  type Ghosts,
  type Participant,
  ROOM_REGISTRY,
  type WaitingEntry,
} from '../rooms/room-registry.js';
import { CallService } from './call.service.js';
import type { Caller } from './caller.js';
import { IceServersService } from './ice-servers.service.js';
import {
  MEETING_RULES,
  type MeetingDeletedListener,
  type MeetingJoinRules,
  type MeetingRules,
} from './meeting-rules.js';
import { ROOM_NOTIFIER, type RoomNotifier } from './room-notifier.js';
import { RateLimits } from '../../rate-limits/rate-limits.js';

type Delivery = [event: ServerEventName, ...args: unknown[]];

/** Socket.IO's delivery rules in memory: who is subscribed to which room hears its broadcasts. */
class RecordingNotifier implements RoomNotifier {
  private readonly members = new Map<string, Set<string>>();
  private readonly inboxes = new Map<string, Delivery[]>();
  /** What the other instances were told left (one process: nobody hears it). */
  readonly departures: string[][] = [];

  departed(socketIds: readonly string[]): void {
    this.departures.push([...socketIds]);
  }

  onDeparted(): void {
    // One process: no other instance tells it anything.
  }

  subscribe(socketId: string, roomId: string): void {
    let room = this.members.get(roomId);
    if (!room) this.members.set(roomId, (room = new Set()));
    room.add(socketId);
  }

  unsubscribe(socketId: string, roomId: string): void {
    this.members.get(roomId)?.delete(socketId);
  }

  private readonly held = new Map<string, Delivery[]>();

  holdBack(socketId: string): (first: () => void) => void {
    const held: Delivery[] = [];
    this.held.set(socketId, held);
    return (first) => {
      this.held.delete(socketId);
      first();
      for (const delivery of held) this.deliver(socketId, delivery);
    };
  }

  /** What Socket.IO does when a socket disconnects. */
  disconnect(socketId: string): void {
    for (const room of this.members.values()) room.delete(socketId);
  }

  toRoom<E extends ServerEventName>(roomId: string, event: E, ...args: ServerEventArgs<E>): void {
    for (const socketId of this.members.get(roomId) ?? []) this.deliver(socketId, [event, ...args]);
  }

  /** One process: its members are all the members. */
  toLocalRoom<E extends ServerEventName>(
    roomId: string,
    event: E,
    ...args: ServerEventArgs<E>
  ): void {
    this.toRoom(roomId, event, ...args);
  }

  toRoomDelivered<E extends ServerEventName>(
    roomId: string,
    event: E,
    ...args: ServerEventArgs<E>
  ): Promise<void> {
    this.toRoom(roomId, event, ...args);
    return Promise.resolve();
  }

  toRoomExcept<E extends ServerEventName>(
    roomId: string,
    exceptSocketId: string,
    event: E,
    ...args: ServerEventArgs<E>
  ): void {
    for (const socketId of this.members.get(roomId) ?? []) {
      if (socketId !== exceptSocketId) this.deliver(socketId, [event, ...args]);
    }
  }

  toSocket<E extends ServerEventName>(
    socketId: string,
    event: E,
    ...args: ServerEventArgs<E>
  ): void {
    this.deliver(socketId, [event, ...args]);
  }

  toMember<E extends ServerEventName>(
    roomId: string,
    socketId: string,
    event: E,
    ...args: ServerEventArgs<E>
  ): void {
    if (this.members.get(roomId)?.has(socketId)) this.deliver(socketId, [event, ...args]);
  }

  localRoomOf(socketId: string): string | undefined {
    for (const [roomId, members] of this.members) if (members.has(socketId)) return roomId;
    return undefined;
  }

  toSockets<E extends ServerEventName>(
    socketIds: readonly string[],
    event: E,
    ...args: ServerEventArgs<E>
  ): void {
    for (const socketId of socketIds) this.deliver(socketId, [event, ...args]);
  }

  /** Everything a socket received (of one event, when given), in order, and forgets it. */
  take(socketId: string, event?: ServerEventName): unknown[][] {
    const inbox = this.inboxes.get(socketId) ?? [];
    this.inboxes.set(
      socketId,
      inbox.filter(([name]) => event !== undefined && name !== event),
    );
    return inbox
      .filter(([name]) => event === undefined || name === event)
      .map((delivery) => (event === undefined ? delivery : delivery.slice(1)));
  }

  private deliver(socketId: string, delivery: Delivery): void {
    const held = this.held.get(socketId);
    if (held) {
      held.push(delivery);
      return;
    }
    const inbox = this.inboxes.get(socketId) ?? [];
    inbox.push(delivery);
    this.inboxes.set(socketId, inbox);
  }
}

/** The chat store's behaviour (what was recorded is replayed), without a database. */
class InMemoryChatHistory {
  readonly lines: ChatLine[] = [];

  record(line: ChatLine): false | Promise<void> {
    this.lines.push(line);
    return Promise.resolve();
  }

  flush(): Promise<void> {
    return Promise.resolve();
  }

  forget(): void {
    // Nothing kept per live room here.
  }

  private paused?: { started: () => void; resumed: Promise<void> };

  /** The next history read waits (after it has started) until `resume()`. */
  pauseReads(): { started: Promise<void>; resume: () => void } {
    let resume = (): void => undefined;
    let started = (): void => undefined;
    const startedPromise = new Promise<void>((resolve) => (started = resolve));
    const resumed = new Promise<void>((resolve) => (resume = resolve));
    this.paused = { started, resumed };
    return { started: startedPromise, resume };
  }

  async history(room: string, upTo: Date): Promise<StoredChatLine[]> {
    const lines = this.lines
      .filter((line) => line.room === room && line.sentAt <= upTo)
      .map(({ text, senderName, senderSocketId, sentAt }) => ({
        text,
        senderName,
        senderSocketId,
        sentAt: sentAt.getTime(),
      }));
    const paused = this.paused;
    this.paused = undefined;
    if (paused) {
      paused.started();
      await paused.resumed;
    }
    return lines;
  }
}

/** A join's answer when the joiner got in (not the waiting room's). */
function entered(answer: JoinResult | WaitingResult): JoinResult {
  if ('waiting' in answer) throw new Error(`waiting in ${answer.roomId}`);
  return answer;
}

/** Registered meetings and their settings, as the Meetings module would answer. */
class RegisteredMeetings implements MeetingRules {
  readonly settings = new Map<
    string,
    {
      hostId: string;
      allowGuests: boolean;
      muteOnEntry: boolean;
      passcode?: string;
      waitingRoom?: WaitingRoomMode;
    }
  >();
  reads = 0;
  readonly bans = new Set<string>();
  private readonly deletedListeners = new Set<MeetingDeletedListener>();
  private readonly settingsListeners = new Set<MeetingDeletedListener>();

  onSettingsChanged(listener: MeetingDeletedListener): () => void {
    this.settingsListeners.add(listener);
    return () => this.settingsListeners.delete(listener);
  }

  onDeleted(listener: MeetingDeletedListener): () => void {
    this.deletedListeners.add(listener);
    return () => this.deletedListeners.delete(listener);
  }

  /** What MeetingsService.deleteMeeting does once the meeting is gone. */
  async delete(code: string): Promise<void> {
    const meeting = this.settings.get(code);
    this.settings.delete(code);
    for (const listener of this.deletedListeners) await listener(code, meeting?.hostId ?? '');
  }

  banUser(code: string, userId: string): Promise<void> {
    this.bans.add(`${code}|${userId}`);
    return Promise.resolve();
  }

  /** As MeetingsService.updateSettings: stored, then (over REST) the live session told. */
  async updateSettings(
    _hostId: string,
    code: string,
    settings: { muteOnEntry?: boolean; waitingRoom?: WaitingRoomMode; allowGuests?: boolean },
    options: { quiet?: boolean } = {},
  ): Promise<void> {
    const meeting = this.settings.get(code);
    if (!meeting) return;
    Object.assign(meeting, settings);
    if (options.quiet) return;
    for (const listener of this.settingsListeners) await listener(code, meeting.hostId);
  }

  /** Set to make reads never answer, as a database that stalls. */
  stalled = false;

  joinRules(roomId: string): Promise<MeetingJoinRules | undefined> {
    this.reads += 1;
    if (this.stalled) return new Promise(() => undefined);
    const meeting = this.settings.get(roomId);
    if (!meeting) return Promise.resolve(undefined);
    return Promise.resolve({
      code: roomId,
      hostId: meeting.hostId,
      allowGuests: meeting.allowGuests,
      muteOnEntry: meeting.muteOnEntry,
      waitingRoom: meeting.waitingRoom ?? 'off',
      passcodeRequired: meeting.passcode !== undefined,
      passcodeMatches: (candidate: string) => candidate === meeting.passcode,
      isBanned: (userId: string) => this.bans.has(`${roomId}|${userId}`),
    });
  }
}

/** A registry whose next sweep finds the given participants and waiters of a dead instance. */
class RegistryWithGhosts extends InMemoryRoomRegistry {
  ghosts: Participant[] = [];
  waitingGhosts: WaitingEntry[] = [];

  /** Set to make the shared state unreachable, as ioredis reports it. */
  unreachable = false;

  override inSameRoom(socketA: string, socketB: string): Promise<boolean> {
    if (this.unreachable) {
      const error = new Error('Reached the max retries per request limit');
      error.name = 'MaxRetriesPerRequestError';
      return Promise.reject(error);
    }
    return super.inSameRoom(socketA, socketB);
  }

  override async removeDeadNodes(): Promise<Ghosts> {
    const participants = this.ghosts.splice(0);
    for (const ghost of participants) await this.leave(ghost.socketId);
    const waiting = this.waitingGhosts.splice(0);
    for (const ghost of waiting) await this.dequeue(ghost.roomId, ghost.socketId);
    return { participants, waiting };
  }
}

function guest(socketId: string): Caller {
  return { socketId, guestId: `guest-of-${socketId}`, address: `10.0.0.${socketId.length}` };
}

function signedIn(socketId: string, name: string, userId = `user-${socketId}`): Caller {
  const user: AuthenticatedUser = {
    userId,
    jti: `jti-${socketId}`,
    name,
    username: name.toLowerCase(),
    expiresAt: new Date(Date.now() + 3_600_000),
  };
  return { socketId, guestId: `guest-of-${socketId}`, address: '10.0.1.1', user };
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!(error instanceof SignalingFailure)) throw new Error(`not refused: ${String(error)}`);
  return error.code;
}

describe('CallService (rules over the in-memory registry and a recording notifier)', () => {
  let moduleRef: TestingModule;
  let call: CallService;
  let notifier: RecordingNotifier;
  let chat: InMemoryChatHistory;
  let registry: RegistryWithGhosts;
  let metrics: MetricsService;
  let meetings: RegisteredMeetings;

  /** A registered meeting hosted by `host-account`, open to guests unless `extra` says. */
  function registerMeeting(
    code: string,
    extra: { passcode?: string; waitingRoom?: WaitingRoomMode; allowGuests?: boolean } = {},
  ): void {
    meetings.settings.set(code, {
      hostId: 'host-account',
      allowGuests: true,
      muteOnEntry: false,
      ...extra,
    });
  }

  /** A fresh module; `prepare` runs before its lifecycle hooks (the first heartbeat). */
  async function start(
    env: Record<string, string> = {},
    prepare: () => Promise<void> = () => Promise.resolve(),
  ): Promise<void> {
    const config = loadConfiguration({
      ROOM_MAX_PARTICIPANTS: '3',
      STUN_URLS: 'stun:stun.example.com:3478',
      TURN_URLS: 'turn:turn.example.com:3478',
      TURN_SECRET: 'turn-secret',
      TURN_TTL: '1h',
      ...env,
    });
    notifier = new RecordingNotifier();
    chat = new InMemoryChatHistory();
    meetings = new RegisteredMeetings();
    registry = new RegistryWithGhosts();
    moduleRef = await Test.createTestingModule({
      providers: [
        CallService,
        IceServersService,
        InstanceHeartbeat,
        MetricsService,
        { provide: ConfigService, useValue: new ConfigService<AppConfig>(config) },
        { provide: ROOM_REGISTRY, useValue: registry },
        { provide: ROOM_NOTIFIER, useValue: notifier },
        { provide: ChatHistoryRepository, useValue: chat },
        { provide: MEETING_RULES, useValue: meetings },
        RateLimits,
      ],
    }).compile();
    call = moduleRef.get(CallService);
    metrics = moduleRef.get(MetricsService);
    await prepare();
    await moduleRef.init();
  }

  beforeEach(() => start());
  afterEach(() => moduleRef.close());

  const join = async (caller: Caller, roomId: string, displayName?: string) =>
    entered(
      await call.join(caller, displayName === undefined ? { roomId } : { roomId, displayName }),
    );

  describe('join', () => {
    it("announces a join to every member, the joiner included, with this room's ids and names only", async () => {
      await join(guest('a'), 'one', 'Alice');
      await join(guest('d'), 'two', 'Dave');
      expect(notifier.take('a', 'user-joined')).toEqual([['a', ['a'], { a: 'Alice' }]]);
      await join(guest('b'), 'one', 'Bob');
      const expected = ['b', ['a', 'b'], { a: 'Alice', b: 'Bob' }];
      expect(notifier.take('a', 'user-joined')).toEqual([expected]);
      expect(notifier.take('b', 'user-joined')).toEqual([expected]);
      expect(notifier.take('d', 'user-joined')).toEqual([['d', ['d'], { d: 'Dave' }]]);
      // The others also hear the joiner as everyone sees it: a guest, marked as one.
      expect(notifier.take('a', 'participant-joined')).toEqual([
        [expect.objectContaining({ socketId: 'b', name: 'Bob', guest: true, role: 'participant' })],
      ]);
      expect(notifier.take('b', 'participant-joined')).toEqual([]);
    });

    it('names a guest without a name Guest, and a signed-in caller by the account', async () => {
      await join(guest('g'), 'names');
      await join(signedIn('u', 'Real Name'), 'names', 'Impostor');
      const view = await call.participants('names');
      expect(view.map(({ name, userId }) => ({ name, userId }))).toEqual([
        { name: 'Guest', userId: undefined },
        { name: 'Real Name', userId: 'user-u' },
      ]);
    });

    it('answers with the room, its participants in join order and ICE servers for the caller', async () => {
      await join(guest('first'), 'ack-room', 'First');
      const answer = await join(signedIn('second', 'Second'), 'ack-room');
      expect(answer.roomId).toBe('ack-room');
      expect(answer.participants).toEqual([
        expect.objectContaining({
          socketId: 'first',
          name: 'First',
          guest: true,
          handRaised: false,
        }),
        expect.objectContaining({
          socketId: 'second',
          name: 'Second',
          userId: 'user-second',
          guest: false,
          // Unknown until the participant reports it, not "muted with camera off".
          media: null,
        }),
      ]);
      expect(answer.iceServers[0]).toEqual({ urls: ['stun:stun.example.com:3478'] });
      const turn = answer.iceServers[1];
      expect(turn.username).toMatch(/^\d+:user-second$/);
      expect(turn.credential).toBe(
        createHmac('sha1', 'turn-secret')
          .update(turn.username ?? '')
          .digest('base64'),
      );
      const guestAnswer = await join(guest('third'), 'ack-room');
      expect(guestAnswer.iceServers[1].username).toMatch(/^\d+:guest-of-third$/);
    });

    it("replays the room's chat to a late joiner, oldest first, in the live argument order", async () => {
      await join(guest('a'), 'chatty', 'Alice');
      await join(guest('b'), 'chatty', 'Bob');
      await call.sendChat(guest('a'), { text: 'first' });
      await call.sendChat(guest('b'), { text: 'second' });
      await join(guest('x'), 'quiet');
      await call.sendChat(guest('x'), { text: 'elsewhere' });
      await join(guest('late'), 'chatty', 'Late');
      const [first, second] = chat.lines.filter((line) => line.room === 'chatty');
      expect(notifier.take('late')).toEqual([
        ['user-joined', 'late', ['a', 'b', 'late'], { a: 'Alice', b: 'Bob', late: 'Late' }],
        ['chat-message', 'first', 'Alice', 'a', first.sentAt.getTime()],
        ['chat-message', 'second', 'Bob', 'b', second.sentAt.getTime()],
      ]);
    });

    it('refuses a join beyond capacity with room-full, but not a member re-joining', async () => {
      for (const id of ['a', 'b', 'c']) await join(guest(id), 'full');
      expect(await refusal(join(guest('d'), 'full'))).toBe('room-full');
      expect((await call.participants('full')).map((p) => p.socketId)).toEqual(['a', 'b', 'c']);
      expect((await join(guest('a'), 'full', 'Renamed')).participants).toHaveLength(3);
    });

    it('answers a repeated join of the same room with its state: no announcement, no replay', async () => {
      await join(guest('a'), 'again', 'Alice');
      await join(guest('b'), 'again', 'Bob');
      await call.sendChat(guest('a'), { text: 'said once' });
      notifier.take('a');
      notifier.take('b');
      const answer = await join(guest('b'), 'again', 'Bobby');
      expect(answer.participants.map(({ socketId, name }) => [socketId, name])).toEqual([
        ['a', 'Alice'],
        ['b', 'Bob'],
      ]);
      expect(notifier.take('a')).toEqual([]);
      expect(notifier.take('b')).toEqual([]);
    });

    it("suffixes a guest who takes a signed-in member's name (any case), for everyone", async () => {
      await join(signedIn('ada', 'Ada Lovelace'), 'names');
      const answer = await join(guest('impostor'), 'names', 'ada lovelace');
      expect(answer.participants.map(({ name, guest: isGuest }) => [name, isGuest])).toEqual([
        ['Ada Lovelace', false],
        ['ada lovelace (guest)', true],
      ]);
      expect(notifier.take('ada', 'user-joined').at(-1)?.[2]).toEqual({
        ada: 'Ada Lovelace',
        impostor: 'ada lovelace (guest)',
      });
      await call.sendChat(guest('impostor'), { text: 'hi', senderName: 'Ada Lovelace' });
      expect(notifier.take('ada', 'chat-message')).toEqual([
        ['hi', 'ada lovelace (guest)', 'impostor', expect.any(Number)],
      ]);
      // Another guest's name is not taken: guests may share names with guests.
      await join(guest('g1'), 'guests', 'Sam');
      expect((await join(guest('g2'), 'guests', 'Sam')).participants.map((p) => p.name)).toEqual([
        'Sam',
        'Sam',
      ]);
    });

    it('delivers the replay before any live message sent while the history is read', async () => {
      await join(guest('a'), 'busy', 'Alice');
      await call.sendChat(guest('a'), { text: 'before' });
      const reading = chat.pauseReads();
      const joining = join(guest('late'), 'busy', 'Late');
      await reading.started;
      await call.sendChat(guest('a'), { text: 'during' });
      reading.resume();
      await joining;
      expect(notifier.take('late', 'chat-message').map(([text]) => text)).toEqual([
        'before',
        'during',
      ]);
    });

    it('moves a caller to another room: the old room hears user-left and no longer reaches it', async () => {
      await join(guest('stayer'), 'room-a');
      await join(guest('mover'), 'room-a');
      await join(guest('other'), 'room-b');
      const moved = await join(guest('mover'), 'room-b');
      expect(moved.participants.map((p) => p.socketId)).toEqual(['other', 'mover']);
      const [left] = notifier.take('stayer', 'user-left');
      expect(left[0]).toBe('mover');
      notifier.take('mover');
      await call.sendChat(guest('stayer'), { text: 'only room a' });
      expect(notifier.take('mover')).toEqual([]);
    });
  });

  describe('leave and disconnect', () => {
    it('announces user-left with the time spent in the room; a second leave is not-in-room', async () => {
      await join(guest('a'), 'bye');
      await join(guest('b'), 'bye');
      await call.leave(guest('b'));
      const [[socketId, timeOnline]] = notifier.take('a', 'user-left') as [[string, number]];
      expect(socketId).toBe('b');
      expect(timeOnline).toBeGreaterThanOrEqual(0);
      expect(timeOnline).toBeLessThan(60_000);
      expect(await refusal(call.leave(guest('b')))).toBe('not-in-room');
      expect(await refusal(call.sendChat(guest('b'), { text: 'nobody hears me' }))).toBe(
        'not-in-room',
      );
      expect(notifier.take('b', 'chat-message')).toEqual([]);
    });

    it('tells the room when a member disconnects, and nothing for a socket in no room', async () => {
      await join(guest('a'), 'gone');
      await join(guest('b'), 'gone');
      notifier.take('a');
      notifier.disconnect('b');
      await call.disconnected('b');
      expect(notifier.take('a', 'user-left').map(([id]) => id)).toEqual(['b']);
      await call.disconnected('never-joined');
      expect(notifier.take('a')).toEqual([]);
      expect(await call.roomStats()).toEqual({ rooms: 1, participants: 1, localParticipants: 1 });
    });

    it('tells their rooms about participants of a dead instance found by the heartbeat', async () => {
      await moduleRef.close();
      await start({ REDIS_URL: 'redis://127.0.0.1:1' }, async () => {
        await join(guest('alive'), 'spread');
        await join(guest('ghost'), 'spread');
        notifier.take('alive');
        registry.ghosts = [(await registry.participant('ghost'))!];
      });
      const heard: unknown[][] = [];
      for (let i = 0; i < 100 && heard.length === 0; i++) {
        heard.push(...notifier.take('alive', 'user-left'));
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      expect(heard.map(([socketId]) => socketId)).toEqual(['ghost']);
      expect((await call.participants('spread')).map((p) => p.socketId)).toEqual(['alive']);
    });

    it("takes a dead instance's sockets off the waiting list its hosts see", async () => {
      await moduleRef.close();
      const code = 'dea-dwai-ter';
      await start({ REDIS_URL: 'redis://127.0.0.1:1' }, async () => {
        registerMeeting(code, { waitingRoom: 'guests' });
        await call.join(signedIn('host', 'Host', 'host-account'), { roomId: code });
        await call.join(guest('stays'), { roomId: code, displayName: 'Stays' });
        await call.join(guest('ghost'), { roomId: code, displayName: 'Ghost' });
        notifier.take('host');
        registry.waitingGhosts = (await registry.waiting(code)).filter(
          (entry) => entry.socketId === 'ghost',
        );
      });
      const heard: unknown[][] = [];
      for (let i = 0; i < 100 && heard.length === 0; i++) {
        heard.push(...notifier.take('host', 'lobby-updated'));
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      expect(heard).toEqual([[[expect.objectContaining({ socketId: 'stays' })]]]);
    });
  });

  describe('signals', () => {
    it('relays between sockets of this instance in one room while the registry is unreachable', async () => {
      await join(guest('here-a'), 'outage');
      await join(guest('here-b'), 'outage');
      await join(guest('other'), 'elsewhere');
      registry.unreachable = true;
      await call.relaySignal(guest('here-a'), { targetSocketId: 'here-b', payload: 'during' });
      expect(notifier.take('here-b', 'signal')).toEqual([['here-a', 'during']]);
      // Not across rooms: the outage is reported (unavailable), nothing is relayed.
      await expect(
        call.relaySignal(guest('here-a'), { targetSocketId: 'other', payload: 'no' }),
      ).rejects.toMatchObject({ name: 'MaxRetriesPerRequestError' });
      expect(notifier.take('other', 'signal')).toEqual([]);
    });

    it('relays a signal, unchanged and in order, only to a member of the same room', async () => {
      await join(guest('inside'), 'private');
      await join(guest('target'), 'private');
      await join(guest('outsider'), 'elsewhere');
      const offer = JSON.stringify({ sdp: { type: 'offer' } });
      await call.relaySignal(guest('inside'), { targetSocketId: 'target', payload: offer });
      await call.relaySignal(guest('inside'), {
        targetSocketId: 'target',
        payload: { ice: { candidate: 'c1' } },
      });
      expect(notifier.take('target', 'signal')).toEqual([
        ['inside', offer],
        ['inside', { ice: { candidate: 'c1' } }],
      ]);
      expect(
        await refusal(
          call.relaySignal(guest('outsider'), { targetSocketId: 'target', payload: 'intrusion' }),
        ),
      ).toBe('target-not-in-room');
      expect(
        await refusal(
          call.relaySignal(guest('lonely'), { targetSocketId: 'target', payload: 'no room' }),
        ),
      ).toBe('target-not-in-room');
      expect(notifier.take('target', 'signal')).toEqual([]);
      expect((await metrics.signalsRelayed.get()).values[0].value).toBe(2);
    });
  });

  describe('chat', () => {
    it('reaches every member, the sender included, and nobody else; then it is stored', async () => {
      await join(guest('a'), 'talk', 'Alice');
      await join(guest('b'), 'talk', 'Bob');
      await join(guest('c'), 'other');
      for (const id of ['a', 'b', 'c']) notifier.take(id);
      const before = Date.now();
      await call.sendChat(guest('a'), { text: 'hello', senderName: 'Alice' });
      const heard = notifier.take('a');
      expect(heard).toEqual([['chat-message', 'hello', 'Alice', 'a', expect.any(Number)]]);
      // The server's time for it (never before an earlier join's history boundary).
      expect(heard[0][4]).toBeGreaterThanOrEqual(before);
      expect(notifier.take('b')).toEqual(heard);
      expect(notifier.take('c')).toEqual([]);
      expect(chat.lines).toEqual([
        expect.objectContaining({
          room: 'talk',
          text: 'hello',
          senderName: 'Alice',
          senderSocketId: 'a',
        }),
      ]);
    });

    it("signs every message with the sender's name in the room, whatever name it gives", async () => {
      await join(guest('g'), 'signed', 'Display');
      await join(signedIn('u', 'Account Name'), 'signed');
      await call.sendChat(guest('g'), { text: 'one' });
      await call.sendChat(guest('g'), { text: 'two', senderName: 'Nick' });
      await call.sendChat(signedIn('u', 'Account Name'), { text: 'three', senderName: 'Fake' });
      expect(notifier.take('g', 'chat-message').map(([, sender]) => sender)).toEqual([
        'Display',
        'Display',
        'Account Name',
      ]);
      expect(chat.lines.at(-1)).toMatchObject({ userId: 'user-u', senderName: 'Account Name' });
    });
  });

  describe('registered meetings', () => {
    const code = 'abc-defg-hij';
    const host = () => signedIn('host', 'Host', 'host-account');
    const joinWith = async (caller: Caller, roomId: string, passcode?: string) =>
      entered(await call.join(caller, passcode === undefined ? { roomId } : { roomId, passcode }));

    it('gives its creator the host role on every device; everyone else takes part', async () => {
      registerMeeting(code);
      await joinWith(host(), code);
      await joinWith(signedIn('laptop', 'Host', 'host-account'), code);
      const answer = await joinWith(guest('g'), code);
      expect(answer.participants.map(({ socketId, role }) => [socketId, role])).toEqual([
        ['host', 'host'],
        ['laptop', 'host'],
        ['g', 'participant'],
      ]);
      // An open room has no host.
      const open = await joinWith(signedIn('creator', 'C', 'host-account'), 'open-room');
      expect(open.participants[0].role).toBe('participant');
    });

    it('refuses guests where they are not allowed, before the passcode', async () => {
      meetings.settings.set(code, {
        hostId: 'host-account',
        allowGuests: false,
        muteOnEntry: false,
        passcode: 'open sesame',
      });
      expect(await refusal(joinWith(guest('g'), code))).toBe('guests-not-allowed');
      expect(await refusal(joinWith(guest('g'), code, 'open sesame'))).toBe('guests-not-allowed');
      expect(await refusal(joinWith(signedIn('u', 'U'), code))).toBe('passcode-required');
      expect((await joinWith(signedIn('u', 'U'), code, 'open sesame')).roomId).toBe(code);
      expect(await call.participants(code)).toHaveLength(1);
    });

    it('asks for the passcode, refuses a wrong one, exempts the host, limits wrong tries', async () => {
      await moduleRef.close();
      await start({ RATE_LIMIT_PASSCODE_FAILURES: '3' });
      registerMeeting(code, { passcode: '2468' });
      expect(await refusal(joinWith(guest('g'), code))).toBe('passcode-required');
      expect(await refusal(joinWith(guest('g'), code, '1357'))).toBe('wrong-passcode');
      expect((await joinWith(guest('g'), code, '2468')).roomId).toBe(code);
      expect((await joinWith(host(), code)).roomId).toBe(code);
      // Guesses from one address: three wrong ones at once, then refused even with the right one.
      const guesses = await Promise.all(
        ['1', '2', '3', '4', '5'].map((n) => refusal(joinWith(guest(`x${n}`), code, `000${n}`))),
      );
      expect(guesses.filter((c) => c === 'wrong-passcode')).toHaveLength(3);
      expect(guesses.filter((c) => c === 'rate-limited')).toHaveLength(2);
      expect(await refusal(joinWith(guest('xy'), code, '2468'))).toBe('rate-limited');
      // A repeated join by a member is not asked again.
      expect((await joinWith(guest('g'), code)).participants.map((p) => p.socketId)).toEqual([
        'g',
        'host',
      ]);
    });

    it('asks joiners to start muted when the meeting says so', async () => {
      meetings.settings.set(code, { hostId: 'host-account', allowGuests: true, muteOnEntry: true });
      expect((await joinWith(guest('g'), code)).muteOnEntry).toBe(true);
      expect((await joinWith(guest('o'), 'open-room')).muteOnEntry).toBeUndefined();
    });

    it('reads settings only for rooms that look like meeting codes', async () => {
      await joinWith(guest('a'), 'team-standup');
      await joinWith(guest('b'), 'http://localhost:5173/meet/xyz');
      expect(meetings.reads).toBe(0);
      await joinWith(guest('c'), code);
      expect(meetings.reads).toBe(1);
    });
  });

  describe('host actions', () => {
    const code = 'hst-actn-now';
    const host = () => signedIn('host', 'Host', 'host-account');
    beforeEach(async () => {
      registerMeeting(code);
      await call.join(host(), { roomId: code });
      await call.join(guest('p1'), { roomId: code, displayName: 'P1' });
      await call.join(guest('p2'), { roomId: code, displayName: 'P2' });
      for (const id of ['host', 'p1', 'p2']) notifier.take(id);
    });

    it('lets only a host name co-hosts, announced to the room; co-hosts may then moderate', async () => {
      expect(
        await refusal(call.setRole(guest('p1'), { targetSocketId: 'p2', role: 'cohost' })),
      ).toBe('not-allowed');
      await call.setRole(host(), { targetSocketId: 'p1', role: 'cohost' });
      expect(notifier.take('p2')).toEqual([['role-changed', 'p1', 'cohost']]);
      expect((await call.participants(code)).map((p) => p.role)).toEqual([
        'host',
        'cohost',
        'participant',
      ]);
      // A co-host moderates, but does not name co-hosts or end the meeting.
      await call.muteParticipant(guest('p1'), { targetSocketId: 'p2' });
      expect(notifier.take('p2')).toEqual([['mute-request']]);
      expect(
        await refusal(call.setRole(guest('p1'), { targetSocketId: 'p2', role: 'cohost' })),
      ).toBe('not-allowed');
      expect(await refusal(call.endMeeting(guest('p1')))).toBe('not-allowed');
      expect(
        await refusal(call.setRole(host(), { targetSocketId: 'host', role: 'participant' })),
      ).toBe('not-allowed');
    });

    it('asks members to mute, never a host; refuses participants and unknown targets', async () => {
      await call.muteAll(host());
      expect(notifier.take('p1')).toEqual([['mute-request']]);
      expect(notifier.take('p2')).toEqual([['mute-request']]);
      expect(notifier.take('host')).toEqual([]);
      expect(await refusal(call.muteParticipant(guest('p1'), { targetSocketId: 'p2' }))).toBe(
        'not-allowed',
      );
      expect(await refusal(call.muteAll(guest('p1')))).toBe('not-allowed');
      expect(await refusal(call.muteParticipant(host(), { targetSocketId: 'nobody' }))).toBe(
        'not-found',
      );
      expect(await refusal(call.muteParticipant(host(), { targetSocketId: 'host' }))).toBe(
        'not-allowed',
      );
    });

    it('removes a member (never a host): it hears removed, the room hears user-left', async () => {
      expect(
        await refusal(call.removeParticipant(guest('p1'), { targetSocketId: 'p2', ban: false })),
      ).toBe('not-allowed');
      expect(
        await refusal(call.removeParticipant(host(), { targetSocketId: 'host', ban: false })),
      ).toBe('not-allowed');
      await call.removeParticipant(host(), { targetSocketId: 'p2', ban: false });
      expect(notifier.take('p2')).toEqual([['removed', { banned: false }]]);
      expect(notifier.take('p1', 'user-left').map(([id]) => id)).toEqual(['p2']);
      expect((await call.participants(code)).map((p) => p.socketId)).toEqual(['host', 'p1']);
      // Out of the room: it hears nothing more from it.
      await call.sendChat(guest('p1'), { text: 'after' });
      expect(notifier.take('p2')).toEqual([]);
      expect(
        await refusal(call.removeParticipant(host(), { targetSocketId: 'p2', ban: false })),
      ).toBe('not-found');
      // In an open room nobody moderates.
      await call.join(guest('o1'), { roomId: 'open-room' });
      await call.join(guest('o2'), { roomId: 'open-room' });
      expect(
        await refusal(call.removeParticipant(guest('o1'), { targetSocketId: 'o2', ban: false })),
      ).toBe('not-allowed');
    });

    it('locks the live session: only the host gets in, until unlocked or the room empties', async () => {
      expect(await refusal(call.updateMeeting(guest('p1'), { locked: true }))).toBe('not-allowed');
      await call.setRole(host(), { targetSocketId: 'p1', role: 'cohost' });
      notifier.take('p2');
      expect(await call.updateMeeting(guest('p1'), { locked: true })).toEqual({
        locked: true,
        muteOnEntry: false,
        waitingRoom: 'off',
      });
      expect(notifier.take('p2')).toEqual([
        ['meeting-updated', { locked: true, muteOnEntry: false, waitingRoom: 'off' }],
      ]);
      expect(await refusal(call.join(guest('late'), { roomId: code }))).toBe('meeting-locked');
      expect(
        await refusal(call.join(signedIn('u', 'U'), { roomId: code, passcode: 'whatever' })),
      ).toBe('meeting-locked');
      // Members re-joining are not refused; the host, from another device, still gets in.
      await call.join(guest('p2'), { roomId: code });
      await call.leave(guest('p2'));
      await call.join(signedIn('tablet', 'Host', 'host-account'), { roomId: code });
      await call.leave(signedIn('tablet', 'Host', 'host-account'));
      await call.updateMeeting(host(), { locked: false });
      expect((await call.join(guest('late'), { roomId: code })).roomId).toBe(code);
      // A new live session starts unlocked.
      await call.updateMeeting(host(), { locked: true });
      await call.endMeeting(host());
      expect((await call.join(guest('next'), { roomId: code })).roomId).toBe(code);
    });

    it("tells joiners the meeting's live state and a late host's role; never asks the host to mute", async () => {
      await call.updateMeeting(host(), { locked: true, muteOnEntry: true });
      await call.leave(host());
      notifier.take('p1');
      const again = entered(await call.join(host(), { roomId: code }));
      expect(again.meeting).toEqual({ locked: true, muteOnEntry: true, waitingRoom: 'off' });
      expect(again.muteOnEntry).toBeUndefined();
      expect(notifier.take('p1', 'participant-joined')).toEqual([
        [expect.objectContaining({ socketId: 'host', role: 'host', name: 'Host', guest: false })],
      ]);
      expect(notifier.take('host', 'participant-joined')).toEqual([]);
      await call.updateMeeting(host(), { locked: false });
      await call.leave(guest('p2'));
      const late = entered(await call.join(guest('late'), { roomId: code }));
      expect(late.muteOnEntry).toBe(true);
      expect(late.meeting?.locked).toBe(false);
      // An open room has no meeting state.
      expect(entered(await call.join(guest('elsewhere'), { roomId: 'open-room' })).meeting).toBe(
        undefined,
      );
    });

    it('stores muteOnEntry for the next joiners', async () => {
      await call.updateMeeting(host(), { muteOnEntry: true });
      await call.leave(guest('p2'));
      expect(entered(await call.join(guest('late'), { roomId: code })).muteOnEntry).toBe(true);
    });

    it('bans with a removal: an account for good, a guest for its connection; banned is checked first', async () => {
      await call.leave(guest('p2'));
      await call.join(signedIn('member', 'Member', 'member-account'), { roomId: code });
      await call.removeParticipant(host(), { targetSocketId: 'member', ban: true });
      expect(notifier.take('member', 'removed')).toEqual([[{ banned: true }]]);
      expect(meetings.bans.has(`${code}|member-account`)).toBe(true);
      // From any device; banned comes before the lock in the check order.
      await call.updateMeeting(host(), { locked: true });
      expect(
        await refusal(call.join(signedIn('phone', 'Member', 'member-account'), { roomId: code })),
      ).toBe('banned');
      await call.updateMeeting(host(), { locked: false });
      await call.removeParticipant(host(), { targetSocketId: 'p1', ban: true });
      expect(await refusal(call.join(guest('p1'), { roomId: code }))).toBe('banned');
      // Another guest connection is another identity.
      expect((await call.join(guest('p1-again'), { roomId: code })).roomId).toBe(code);
    });

    it('ends the meeting for everyone (host only); the next join starts afresh', async () => {
      await call.endMeeting(host());
      for (const id of ['host', 'p1', 'p2']) expect(notifier.take(id)).toEqual([['meeting-ended']]);
      expect(await call.participants(code)).toEqual([]);
      expect(entered(await call.join(guest('p1'), { roomId: code })).participants).toHaveLength(1);
    });

    it('ends the live session when the host deletes the meeting, the waiting room included', async () => {
      await call.updateMeeting(host(), { waitingRoom: 'guests' });
      expect(await call.join(guest('queued'), { roomId: code })).toEqual({
        waiting: true,
        roomId: code,
      });
      for (const id of ['host', 'p1', 'p2']) notifier.take(id);
      await meetings.delete(code);
      for (const id of ['host', 'p1', 'p2', 'queued']) {
        expect(notifier.take(id)).toEqual([['meeting-ended']]);
      }
      expect(await call.participants(code)).toEqual([]);
      expect(await registry.waiting(code)).toEqual([]);
    });
  });

  describe('waiting room', () => {
    const code = 'wai-ting-roo'.replace('roo', 'rom');
    const host = () => signedIn('host', 'Host', 'host-account');

    it('holds guests until a host or co-host admits them; signed-in users enter (guests mode)', async () => {
      registerMeeting(code, { waitingRoom: 'guests' });
      // Arriving before the host does not get anyone in.
      expect(await call.join(guest('early'), { roomId: code, displayName: 'Early' })).toEqual({
        waiting: true,
        roomId: code,
      });
      expect(await refusal(call.sendChat(guest('early'), { text: 'hi' }))).toBe('not-in-room');
      const hostAnswer = entered(await call.join(host(), { roomId: code }));
      expect(
        hostAnswer.lobby?.map(({ socketId, name, signedIn }) => [socketId, name, signedIn]),
      ).toEqual([['early', 'Early', false]]);
      expect(entered(await call.join(signedIn('member', 'Member'), { roomId: code })).roomId).toBe(
        code,
      );
      // A second guest waits; the host hears the list change.
      notifier.take('host');
      await call.join(guest('second'), { roomId: code, displayName: 'Second' });
      expect(notifier.take('host', 'lobby-updated').at(-1)?.[0]).toEqual([
        expect.objectContaining({ socketId: 'early' }),
        expect.objectContaining({ socketId: 'second' }),
      ]);
      // A participant may not admit; the host admits one and denies the other.
      expect(
        await refusal(call.admit(signedIn('member', 'Member'), { targetSocketId: 'early' })),
      ).toBe('not-allowed');
      await call.admit(host(), { targetSocketId: 'early' });
      const [admitted] = notifier.take('early', 'admitted');
      expect((admitted[0] as JoinResult).participants.map((p) => p.socketId)).toEqual([
        'host',
        'member',
        'early',
      ]);
      expect(notifier.take('member', 'user-joined').map(([id]) => id)).toEqual(['member', 'early']);
      await call.deny(host(), { targetSocketId: 'second' });
      expect(notifier.take('second')).toEqual([['denied']]);
      expect(await refusal(call.admit(host(), { targetSocketId: 'second' }))).toBe('not-found');
      expect(notifier.take('host', 'lobby-updated').at(-1)).toEqual([[]]);
    });

    it('holds everyone but the host (everyone mode); admit-all; leaving and disconnecting leave the queue', async () => {
      registerMeeting(code, { waitingRoom: 'everyone' });
      await call.join(host(), { roomId: code });
      for (const id of ['a', 'b', 'c']) {
        expect(await call.join(signedIn(id, id.toUpperCase()), { roomId: code })).toEqual({
          waiting: true,
          roomId: code,
        });
      }
      await call.leave(signedIn('a', 'A'));
      await call.disconnected('b');
      notifier.take('host');
      await call.admitAll(host());
      expect(notifier.take('c', 'admitted')).toHaveLength(1);
      expect(notifier.take('a')).toEqual([]);
      expect((await call.participants(code)).map((p) => p.socketId)).toEqual(['host', 'c']);
    });

    it('lets everyone waiting in when a host turns the waiting room off', async () => {
      registerMeeting(code, { waitingRoom: 'guests' });
      await call.join(host(), { roomId: code });
      await call.join(guest('g'), { roomId: code });
      await call.updateMeeting(host(), { waitingRoom: 'off' });
      expect(notifier.take('g', 'admitted')).toHaveLength(1);
      expect(entered(await call.join(guest('h'), { roomId: code })).roomId).toBe(code);
    });

    it('shows a new co-host who is waiting, and keeps it up to date', async () => {
      registerMeeting(code, { waitingRoom: 'guests' });
      await call.join(host(), { roomId: code });
      await call.join(signedIn('helper', 'Helper'), { roomId: code });
      await call.join(guest('g'), { roomId: code, displayName: 'G' });
      expect(notifier.take('helper', 'lobby-updated')).toEqual([]);
      await call.setRole(host(), { targetSocketId: 'helper', role: 'cohost' });
      expect(notifier.take('helper', 'lobby-updated')).toEqual([
        [[expect.objectContaining({ socketId: 'g', name: 'G', signedIn: false })]],
      ]);
      await call.admit(signedIn('helper', 'Helper'), { targetSocketId: 'g' });
      expect(notifier.take('helper', 'lobby-updated')).toEqual([[[]]]);
    });
  });

  describe('host rules, applied again when someone is let in or a setting changes', () => {
    const code = 'adm-itts-now';
    const host = () => signedIn('host', 'Host', 'host-account');

    it("carries the joiner's own role in its answer", async () => {
      registerMeeting(code);
      expect(entered(await call.join(host(), { roomId: code })).role).toBe('host');
      expect(entered(await call.join(guest('g'), { roomId: code })).role).toBe('participant');
      expect(entered(await call.join(guest('o'), { roomId: 'open-room' })).role).toBe(
        'participant',
      );
    });

    it('keeps a full call waiting: admit answers room-full and the socket keeps its place', async () => {
      await moduleRef.close();
      await start({ ROOM_MAX_PARTICIPANTS: '2' });
      registerMeeting(code, { waitingRoom: 'guests' });
      await call.join(host(), { roomId: code });
      await call.join(guest('first'), { roomId: code });
      await call.join(guest('second'), { roomId: code });
      await call.admit(host(), { targetSocketId: 'first' });
      notifier.take('second');
      expect(await refusal(call.admit(host(), { targetSocketId: 'second' }))).toBe('room-full');
      expect(await refusal(call.admitAll(host()))).toBe('room-full');
      expect(notifier.take('second')).toEqual([]);
      expect((await registry.waiting(code)).map((entry) => entry.socketId)).toEqual(['second']);
      // A place frees up: now it gets in.
      await call.leave(guest('first'));
      await call.admit(host(), { targetSocketId: 'second' });
      expect(notifier.take('second', 'admitted')).toHaveLength(1);
    });

    it('turns away, on admission, a waiting account banned since and guests no longer allowed', async () => {
      registerMeeting(code, { waitingRoom: 'everyone' });
      await call.join(host(), { roomId: code });
      await call.join(signedIn('laptop', 'Ann', 'ann'), { roomId: code });
      await call.join(guest('visitor'), { roomId: code });
      await call.admit(host(), { targetSocketId: 'laptop' });
      await call.join(signedIn('phone', 'Ann', 'ann'), { roomId: code });
      // Banning the account takes every device of it out: the call's and the waiting one.
      await call.removeParticipant(host(), { targetSocketId: 'laptop', ban: true });
      expect(notifier.take('phone', 'removed')).toEqual([[{ banned: true }]]);
      expect((await registry.waiting(code)).map((entry) => entry.socketId)).toEqual(['visitor']);
      // Queued before the ban, admitted after it: refused (as a guest ban is).
      await call.join(signedIn('tablet', 'Ann', 'ann'), { roomId: code }).catch(() => undefined);
      meetings.settings.get(code)!.allowGuests = false;
      expect(await refusal(call.admit(host(), { targetSocketId: 'visitor' }))).toBe(
        'guests-not-allowed',
      );
      expect(notifier.take('visitor')).toEqual([['denied']]);
      expect((await call.participants(code)).map((p) => p.socketId)).toEqual(['host']);
    });

    it('takes every device of a banned account out of the call', async () => {
      await moduleRef.close();
      await start({ ROOM_MAX_PARTICIPANTS: '5' });
      registerMeeting(code);
      await call.join(host(), { roomId: code });
      await call.join(signedIn('laptop', 'Ann', 'ann'), { roomId: code });
      await call.join(signedIn('phone', 'Ann', 'ann'), { roomId: code });
      await call.join(guest('g'), { roomId: code });
      notifier.take('g');
      await call.removeParticipant(host(), { targetSocketId: 'laptop', ban: true });
      expect(notifier.take('phone', 'removed')).toEqual([[{ banned: true }]]);
      expect(notifier.take('g', 'user-left').map(([id]) => id)).toEqual(['laptop', 'phone']);
      expect((await call.participants(code)).map((p) => p.socketId)).toEqual(['host', 'g']);
    });

    it("keeps a co-host's role for the live session: through the lock and the waiting room, on any device", async () => {
      registerMeeting(code, { waitingRoom: 'everyone' });
      await call.join(host(), { roomId: code });
      await call.join(signedIn('laptop', 'Ann', 'ann'), { roomId: code });
      await call.admit(host(), { targetSocketId: 'laptop' });
      await call.setRole(host(), { targetSocketId: 'laptop', role: 'cohost' });
      await call.updateMeeting(host(), { locked: true });
      await call.leave(signedIn('laptop', 'Ann', 'ann'));
      // Back, and from a second device: no waiting, through the lock, a co-host again.
      expect(
        entered(await call.join(signedIn('laptop', 'Ann', 'ann'), { roomId: code })).role,
      ).toBe('cohost');
      const phone = entered(await call.join(signedIn('phone', 'Ann', 'ann'), { roomId: code }));
      expect(phone.role).toBe('cohost');
      expect(phone.lobby).toEqual([]);
      // Made a participant again, on every device; then the lock holds it out.
      notifier.take('host');
      await call.setRole(host(), { targetSocketId: 'phone', role: 'participant' });
      expect(notifier.take('host', 'role-changed')).toEqual([
        ['laptop', 'participant'],
        ['phone', 'participant'],
      ]);
      await call.leave(signedIn('phone', 'Ann', 'ann'));
      expect(await refusal(call.join(signedIn('phone', 'Ann', 'ann'), { roomId: code }))).toBe(
        'meeting-locked',
      );
      // A guest co-host keeps its role for its connection only.
      await call.updateMeeting(host(), { locked: false });
      await call.join(guest('g'), { roomId: code });
      await call.admit(host(), { targetSocketId: 'g' });
      await call.setRole(host(), { targetSocketId: 'g', role: 'cohost' });
      expect(await call.join(guest('g2'), { roomId: code })).toEqual({
        waiting: true,
        roomId: code,
      });
      // The next live session starts without co-hosts.
      await call.endMeeting(host());
      await call.join(host(), { roomId: code });
      expect(await call.join(signedIn('laptop', 'Ann', 'ann'), { roomId: code })).toEqual({
        waiting: true,
        roomId: code,
      });
    });

    it('takes the co-host grant back with a removal: the lock and the waiting room hold it out', async () => {
      registerMeeting(code, { waitingRoom: 'everyone' });
      await call.join(host(), { roomId: code });
      await call.join(signedIn('laptop', 'Ann', 'ann'), { roomId: code });
      await call.admit(host(), { targetSocketId: 'laptop' });
      await call.setRole(host(), { targetSocketId: 'laptop', role: 'cohost' });
      await call.removeParticipant(host(), { targetSocketId: 'laptop', ban: false });
      expect(await call.join(signedIn('laptop', 'Ann', 'ann'), { roomId: code })).toEqual({
        waiting: true,
        roomId: code,
      });
      await call.updateMeeting(host(), { locked: true });
      expect(await refusal(call.join(signedIn('phone', 'Ann', 'ann'), { roomId: code }))).toBe(
        'meeting-locked',
      );
    });

    it('keeps everyone waiting in order when admit-all finds the call full', async () => {
      registerMeeting(code, { waitingRoom: 'guests' });
      await call.join(host(), { roomId: code });
      await call.join(signedIn('m1', 'M1'), { roomId: code });
      await call.join(signedIn('m2', 'M2'), { roomId: code });
      for (const id of ['g1', 'g2']) await call.join(guest(id), { roomId: code });
      expect(await refusal(call.admitAll(host()))).toBe('room-full');
      expect((await registry.waiting(code)).map((entry) => entry.socketId)).toEqual(['g1', 'g2']);
      await call.leave(signedIn('m2', 'M2'));
      await call.admitAll(host()).catch(() => undefined);
      expect((await call.participants(code)).map((p) => p.socketId)).toEqual(['host', 'm1', 'g1']);
      expect((await registry.waiting(code)).map((entry) => entry.socketId)).toEqual(['g2']);
    });

    it('goes by the settings read last while the database stalls, bans made since included', async () => {
      registerMeeting(code);
      await call.join(host(), { roomId: code });
      await call.join(signedIn('laptop', 'Ann', 'ann'), { roomId: code });
      await call.removeParticipant(host(), { targetSocketId: 'laptop', ban: true });
      meetings.stalled = true;
      // Known meeting: by the last read (which knows of the ban made here since).
      expect((await call.join(guest('g'), { roomId: code })).roomId).toBe(code);
      expect(await refusal(call.join(signedIn('phone', 'Ann', 'ann'), { roomId: code }))).toBe(
        'banned',
      );
      // Never read here: cannot be checked, so refused for now.
      expect(await refusal(call.join(guest('x'), { roomId: 'zzz-zzzz-zzz' }))).toBe('unavailable');
    });

    it('answers host actions from outside the call with not-allowed', async () => {
      registerMeeting(code, { waitingRoom: 'guests' });
      await call.join(guest('waiting'), { roomId: code });
      expect(await refusal(call.admit(guest('waiting'), { targetSocketId: 'waiting' }))).toBe(
        'not-allowed',
      );
      expect(await refusal(call.muteAll(guest('nowhere')))).toBe('not-allowed');
      expect(await refusal(call.endMeeting(guest('nowhere')))).toBe('not-allowed');
    });

    it('applies settings a host changes over REST to the live session', async () => {
      registerMeeting(code, { waitingRoom: 'everyone' });
      await call.join(host(), { roomId: code });
      await call.join(signedIn('member', 'Member', 'm'), { roomId: code });
      await call.join(guest('visitor'), { roomId: code });
      notifier.take('host');
      // Guests only wait now: the signed-in one gets in; the room hears the new state.
      await meetings.updateSettings('host-account', code, { waitingRoom: 'guests' });
      expect(notifier.take('member', 'admitted')).toHaveLength(1);
      expect(notifier.take('host', 'meeting-updated')).toEqual([
        [{ locked: false, muteOnEntry: false, waitingRoom: 'guests' }],
      ]);
      // Guests no longer allowed: the waiting one is turned away.
      await meetings.updateSettings('host-account', code, { allowGuests: false });
      expect(notifier.take('visitor')).toEqual([['denied']]);
      expect(await registry.waiting(code)).toEqual([]);
      // The waiting room off lets everyone in.
      await meetings.updateSettings('host-account', code, { allowGuests: true });
      await call.join(guest('late'), { roomId: code });
      await meetings.updateSettings('host-account', code, { waitingRoom: 'off' });
      expect(notifier.take('late', 'admitted')).toHaveLength(1);
    });

    it('takes an empty passcode for none: passcode-required, not a wrong try', async () => {
      registerMeeting(code, { passcode: '2468' });
      expect(await refusal(call.join(guest('g'), { roomId: code }))).toBe('passcode-required');
    });
  });

  describe('media state and raised hands', () => {
    it("tells the other members, and the next joiner's answer shows them", async () => {
      await join(guest('speaker'), 'media', 'Speaker');
      await join(guest('listener'), 'media', 'Listener');
      notifier.take('speaker');
      notifier.take('listener');
      await call.setMedia(guest('speaker'), { media: { audio: false, video: true, screen: true } });
      await call.raiseHand(guest('speaker'), { raised: true });
      expect(notifier.take('listener')).toEqual([
        ['media-state', 'speaker', { audio: false, video: true, screen: true }],
        ['raise-hand', 'speaker', true],
      ]);
      expect(notifier.take('speaker')).toEqual([]);
      const late = await join(guest('late'), 'media');
      expect(late.participants[0]).toMatchObject({
        media: { audio: false, video: true, screen: true },
        handRaised: true,
      });
    });

    it('refuses both outside a room', async () => {
      expect(
        await refusal(
          call.setMedia(guest('x'), { media: { audio: true, video: true, screen: false } }),
        ),
      ).toBe('not-in-room');
      expect(await refusal(call.raiseHand(guest('x'), { raised: true }))).toBe('not-in-room');
    });
  });
});
