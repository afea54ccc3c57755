import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Redis, RedisOptions } from 'ioredis';
import { isRedisUnavailableError } from '../../common/redis-client.js';
import { withinTimeLimit } from '../../common/time-limit.js';
import type { MediaState, Role } from '../protocol/events.js';
import {
  type Departure,
  type Ghosts,
  type JoinOutcome,
  type NewParticipant,
  type Participant,
  RoomFullError,
  type RoomRegistry,
  type RoomStats,
  type WaitingEntry,
} from './room-registry.js';

/** How long a readiness check waits for Redis' answer to a ping. */
const PING_WAIT_MS = 1_000;

/** How long closing waits for Redis to forget this instance's participants. */
const CLOSE_WAIT_MS = 1_000;

/** How long a removal's token stays readable (see LEAVE): well past a few heartbeats. */
const LEFT_TOMBSTONE_SECONDS = 600;

/**
 * The registry's command client: every command answers (or fails) within about a second, so
 * a call event never waits on Redis for long. While the connection is down a command fails at
 * once (no offline queue: its caller answers `unavailable`); a command Redis does not answer
 * (hung, paused, a partition) fails after COMMAND_TIMEOUT_MS; reconnection attempts stay at
 * most RECONNECT_MAX_DELAY_MS apart, so the registry is back within about a second of Redis.
 * The registry runs short Lua scripts only (no blocking command), so the timeout fits all.
 */
export const REGISTRY_COMMAND_TIMEOUT_MS = 1_000;
const RECONNECT_MAX_DELAY_MS = 1_000;

export function registryClientOptions(): RedisOptions {
  return {
    enableOfflineQueue: false,
    commandTimeout: REGISTRY_COMMAND_TIMEOUT_MS,
    connectTimeout: 2_000,
    maxRetriesPerRequest: 1,
    retryStrategy: (attempt: number) => Math.min(100 * attempt, RECONNECT_MAX_DELAY_MS),
  };
}

/*
 * Layout under the key prefix:
 *   p:<socketId>      hash: roomId, name, userId, joinedAt, media (JSON), hand (0/1), node, role,
 *                     session (the room's live session id, shared by its members)
 *   room:<roomId>     sorted set of socket ids, scored by join order
 *   rooms             set of non-empty room ids;  count: number of participants
 *   lock:<roomId>     present while a live room is locked (removed with the room)
 *   bans:<roomId>     set of socket ids (guests) banned for the live session (idem)
 *   cohosts:<roomId>  set of account ids made co-hosts for the live session (idem)
 *   w:<socketId>      hash of a waiting socket: roomId, name, userId, since, node
 *   queue:<roomId>    sorted set of the room's waiting socket ids, by arrival
 *   node:<nodeId>     set of the socket ids an instance holds;  nodes: zset of heartbeats
 *   nodeq:<nodeId>    set of the waiting socket ids an instance holds
 *   away              sorted set of participants whose connection dropped, by deadline (ms)
 *   alive:<nodeId>    present while Redis holds what this instance published (see restoreIfLost)
 *   departed          hash socketId → JSON {fields, at}: left while Redis had lost them (idem)
 *   left:<socketId>   the token of the LEAVE that removed it, for a while (see confirmLeaves)
 * Every change is one Lua script, so concurrent joins on several instances stay consistent.
 * (Keys are built inside the scripts: fine for one Redis or a replica set, not Redis Cluster.)
 */

const MEMBERS = `
local function members(prefix, roomId)
  local ids = redis.call('ZRANGE', prefix .. 'room:' .. roomId, 0, -1)
  local out = {}
  for i, id in ipairs(ids) do out[i] = {id, redis.call('HGETALL', prefix .. 'p:' .. id)} end
  return out
end
local function removeFromRoom(prefix, socketId, roomId, nodeId)
  local roomKey = prefix .. 'room:' .. roomId
  redis.call('ZREM', roomKey, socketId)
  if redis.call('ZCARD', roomKey) == 0 then
    redis.call('DEL', roomKey, prefix .. 'lock:' .. roomId, prefix .. 'bans:' .. roomId,
      prefix .. 'cohosts:' .. roomId)
    redis.call('SREM', prefix .. 'rooms', roomId)
  end
  redis.call('SREM', prefix .. 'node:' .. nodeId, socketId)
  redis.call('ZREM', prefix .. 'away', socketId)
  redis.call('DECR', prefix .. 'count')
end
`;

/**
 * ARGV: prefix, socketId, roomId, name, userId, joinedAt, capacity, nodeId, role, sessionId
 * → {status, left, members}. The joiner takes the room's session id (its first member's), or
 * starts the given one in an empty room.
 */
const JOIN = `${MEMBERS}
local prefix, socketId, roomId = ARGV[1], ARGV[2], ARGV[3]
local pkey = prefix .. 'p:' .. socketId
local currentRoom = redis.call('HGET', pkey, 'roomId')
if currentRoom == roomId then return {'same', {}, members(prefix, roomId)} end
if redis.call('ZCARD', prefix .. 'room:' .. roomId) >= tonumber(ARGV[7]) then return {'full', {}, {}} end
local left = {}
if currentRoom then
  left = redis.call('HGETALL', pkey)
  removeFromRoom(prefix, socketId, currentRoom, redis.call('HGET', pkey, 'node'))
  redis.call('DEL', pkey)
end
local session = ARGV[10]
local first = redis.call('ZRANGE', prefix .. 'room:' .. roomId, 0, 0)
if #first > 0 then session = redis.call('HGET', prefix .. 'p:' .. first[1], 'session') or session end
redis.call('HSET', pkey, 'roomId', roomId, 'name', ARGV[4], 'userId', ARGV[5], 'joinedAt', ARGV[6],
  'media', 'null', 'hand', '0', 'node', ARGV[8], 'role', ARGV[9], 'session', session)
redis.call('ZADD', prefix .. 'room:' .. roomId, redis.call('INCR', prefix .. 'seq'), socketId)
redis.call('SADD', prefix .. 'rooms', roomId)
redis.call('SADD', prefix .. 'node:' .. ARGV[8], socketId)
redis.call('INCR', prefix .. 'count')
return {'ok', left, members(prefix, roomId)}
`;

/**
 * ARGV: prefix, socketId, token → the participant's fields (empty when in no room). With a
 * token, a removal leaves `left:<socketId>` = token for a while: an instance whose command
 * timed out (Redis hung, a partition) learns later that it did remove the participant.
 */
const LEAVE = `${MEMBERS}
local prefix, socketId, token = ARGV[1], ARGV[2], ARGV[3]
local pkey = prefix .. 'p:' .. socketId
local fields = redis.call('HGETALL', pkey)
if #fields == 0 then return {} end
removeFromRoom(prefix, socketId, redis.call('HGET', pkey, 'roomId'), redis.call('HGET', pkey, 'node'))
redis.call('DEL', pkey)
if token and token ~= '' then
  redis.call('SET', prefix .. 'left:' .. socketId, token, 'EX', ${LEFT_TOMBSTONE_SECONDS})
end
return fields
`;

/**
 * ARGV: prefix, socketId, nodeId, token → {'removed', fields} when the participant was still
 * this node's (removed now), {'late'} when the LEAVE with that token did run (late: its answer
 * never came), {'gone'} otherwise (someone else removed it, or Redis lost it).
 */
const CONFIRM_LEAVE = `${MEMBERS}
local prefix, socketId, nodeId, token = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local pkey = prefix .. 'p:' .. socketId
if redis.call('HGET', pkey, 'node') == nodeId then
  local fields = redis.call('HGETALL', pkey)
  removeFromRoom(prefix, socketId, redis.call('HGET', pkey, 'roomId'), nodeId)
  redis.call('DEL', pkey)
  return {'removed', fields}
end
if redis.call('GET', prefix .. 'left:' .. socketId) == token then return {'late', {}} end
return {'gone', {}}
`;

/**
 * ARGV: prefix, socketId, nodeId, until, now[, roomId] → {'away'|'removed'|'kept', fields}: a participant
 * of this node whose socket is no longer here (its drop or departure never reached Redis).
 * Until `until` (its grace window) it is away, as if its drop had been recorded; after, it
 * is removed. Kept (and nothing done) when it is not this node's, is away already, or (with a
 * roomId) is in another room.
 */
const RECONCILE_GONE = `${MEMBERS}
local prefix, socketId, nodeId = ARGV[1], ARGV[2], ARGV[3]
local pkey = prefix .. 'p:' .. socketId
if redis.call('HGET', pkey, 'node') ~= nodeId or redis.call('ZSCORE', prefix .. 'away', socketId)
  or (ARGV[6] and redis.call('HGET', pkey, 'roomId') ~= ARGV[6]) then
  return {'kept', {}}
end
if tonumber(ARGV[4]) > tonumber(ARGV[5]) then
  redis.call('ZADD', prefix .. 'away', ARGV[4], socketId)
  redis.call('HSET', pkey, 'seen', ARGV[5])
  return {'away', redis.call('HGETALL', pkey)}
end
local fields = redis.call('HGETALL', pkey)
removeFromRoom(prefix, socketId, redis.call('HGET', pkey, 'roomId'), nodeId)
redis.call('DEL', pkey)
return {'removed', fields}
`;

/** ARGV: prefix, socketA, socketB → 1 when both are in the same room. */
const SAME_ROOM = `
local a = redis.call('HGET', ARGV[1] .. 'p:' .. ARGV[2], 'roomId')
if not a then return 0 end
if a == redis.call('HGET', ARGV[1] .. 'p:' .. ARGV[3], 'roomId') then return 1 end
return 0
`;

/** ARGV: prefix, socketId, field, value → the room, when the socket is in one. */
const SET_FIELD = `
local pkey = ARGV[1] .. 'p:' .. ARGV[2]
local roomId = redis.call('HGET', pkey, 'roomId')
if not roomId then return false end
redis.call('HSET', pkey, ARGV[3], ARGV[4])
return roomId
`;

/** ARGV: prefix, roomId. Locks a room that has members (an empty room has no session). */
const LOCK = `
if redis.call('EXISTS', ARGV[1] .. 'room:' .. ARGV[2]) == 0 then return 0 end
redis.call('SET', ARGV[1] .. 'lock:' .. ARGV[2], '1')
return 1
`;

/**
 * ARGV: prefix, kind, roomId, member. Adds to a set of a room that has members, kept for its
 * live session: `bans` (guests' socket ids), `cohosts` (account ids).
 */
const SESSION_SET_ADD = `
if redis.call('EXISTS', ARGV[1] .. 'room:' .. ARGV[3]) == 0 then return 0 end
return redis.call('SADD', ARGV[1] .. ARGV[2] .. ':' .. ARGV[3], ARGV[4])
`;

/** ARGV: prefix, socketId, roomId, name, userId, since, nodeId. Moves the socket to this queue. */
const ENQUEUE = `
local prefix, socketId, roomId = ARGV[1], ARGV[2], ARGV[3]
local wkey = prefix .. 'w:' .. socketId
local previous = redis.call('HGET', wkey, 'roomId')
if previous then redis.call('ZREM', prefix .. 'queue:' .. previous, socketId) end
redis.call('HSET', wkey, 'roomId', roomId, 'name', ARGV[4], 'userId', ARGV[5], 'since', ARGV[6],
  'node', ARGV[7])
redis.call('ZADD', prefix .. 'queue:' .. roomId, redis.call('INCR', prefix .. 'seq'), socketId)
redis.call('SADD', prefix .. 'nodeq:' .. ARGV[7], socketId)
return 1
`;

/** ARGV: prefix, socketId, roomId ('' for any) → the entry's fields (empty when not waiting). */
const DEQUEUE = `
local prefix, socketId = ARGV[1], ARGV[2]
local wkey = prefix .. 'w:' .. socketId
local roomId = redis.call('HGET', wkey, 'roomId')
if not roomId or (ARGV[3] ~= '' and ARGV[3] ~= roomId) then return {} end
local fields = redis.call('HGETALL', wkey)
local node = redis.call('HGET', wkey, 'node')
if node then redis.call('SREM', prefix .. 'nodeq:' .. node, socketId) end
redis.call('DEL', wkey)
redis.call('ZREM', prefix .. 'queue:' .. roomId, socketId)
return fields
`;

/** ARGV: prefix, roomId → {socketId, fields} of every waiting socket, longest waiting first. */
const WAITING = `
local prefix = ARGV[1]
local out = {}
for i, id in ipairs(redis.call('ZRANGE', prefix .. 'queue:' .. ARGV[2], 0, -1)) do
  out[i] = {id, redis.call('HGETALL', prefix .. 'w:' .. id)}
end
return out
`;

/** ARGV: prefix, roomId → members. */
const PARTICIPANTS = `${MEMBERS}
return members(ARGV[1], ARGV[2])
`;

/**
 * ARGV: prefix, nodeId, keepAway → {participants, waiting}: the fields of every participant and
 * waiting socket the node held; forgets the node. With keepAway '1' (a clean shutdown), the
 * participants whose connection dropped keep their place: they may come back elsewhere, and
 * whichever instance sweeps first removes them when their time runs out.
 */
const REMOVE_NODE = `${MEMBERS}
local prefix, nodeId, keepAway = ARGV[1], ARGV[2], ARGV[3]
local removed = {}
for _, socketId in ipairs(redis.call('SMEMBERS', prefix .. 'node:' .. nodeId)) do
  local pkey = prefix .. 'p:' .. socketId
  local fields = redis.call('HGETALL', pkey)
  local kept = keepAway == '1' and redis.call('ZSCORE', prefix .. 'away', socketId)
  if #fields > 0 and not kept then
    removeFromRoom(prefix, socketId, redis.call('HGET', pkey, 'roomId'), nodeId)
    redis.call('DEL', pkey)
    table.insert(removed, {socketId, fields})
  end
end
local waiting = {}
for _, socketId in ipairs(redis.call('SMEMBERS', prefix .. 'nodeq:' .. nodeId)) do
  local wkey = prefix .. 'w:' .. socketId
  local fields = redis.call('HGETALL', wkey)
  if #fields > 0 then
    redis.call('ZREM', prefix .. 'queue:' .. redis.call('HGET', wkey, 'roomId'), socketId)
    redis.call('DEL', wkey)
    table.insert(waiting, {socketId, fields})
  end
end
redis.call('DEL', prefix .. 'node:' .. nodeId, prefix .. 'nodeq:' .. nodeId, prefix .. 'alive:' .. nodeId)
redis.call('ZREM', prefix .. 'nodes', nodeId)
return {removed, waiting}
`;

/**
 * ARGV: prefix, socketId, until, nodeId, now → {marked, fields}: the participant's fields (empty
 * when in no room); marked 0 when it lives on another node (it came back there first). A marked
 * participant was last seen `now` (field `seen`, removed when it comes back).
 */
const MARK_AWAY = `
local pkey = ARGV[1] .. 'p:' .. ARGV[2]
local fields = redis.call('HGETALL', pkey)
if #fields == 0 or redis.call('HGET', pkey, 'node') ~= ARGV[4] then return {0, fields} end
redis.call('ZADD', ARGV[1] .. 'away', ARGV[3], ARGV[2])
redis.call('HSET', pkey, 'seen', ARGV[5])
return {1, fields}
`;

/** ARGV: prefix, socketId, nodeId → {wasAway, fields}; the participant now lives on nodeId. */
const MARK_BACK = `
local prefix, socketId, nodeId = ARGV[1], ARGV[2], ARGV[3]
local pkey = prefix .. 'p:' .. socketId
local wasAway = redis.call('ZREM', prefix .. 'away', socketId)
local fields = redis.call('HGETALL', pkey)
if #fields == 0 then return {0, {}} end
redis.call('HDEL', pkey, 'seen')
local previous = redis.call('HGET', pkey, 'node')
if previous ~= nodeId then
  redis.call('SREM', prefix .. 'node:' .. previous, socketId)
  redis.call('SADD', prefix .. 'node:' .. nodeId, socketId)
  redis.call('HSET', pkey, 'node', nodeId)
end
return {wasAway, fields}
`;

/** ARGV: prefix, now → {socketId, fields} of each participant whose time away ran out. */
const REMOVE_EXPIRED_AWAY = `${MEMBERS}
local prefix = ARGV[1]
local removed = {}
for _, socketId in ipairs(redis.call('ZRANGEBYSCORE', prefix .. 'away', '-inf', ARGV[2])) do
  local pkey = prefix .. 'p:' .. socketId
  local fields = redis.call('HGETALL', pkey)
  redis.call('ZREM', prefix .. 'away', socketId)
  if #fields > 0 then
    removeFromRoom(prefix, socketId, redis.call('HGET', pkey, 'roomId'), redis.call('HGET', pkey, 'node'))
    redis.call('DEL', pkey)
    table.insert(removed, {socketId, fields})
  end
end
return removed
`;

/**
 * ARGV: prefix, socketId, nodeId, awayUntil ('' when its socket is connected here), then the
 * participant's fields → 1 when published again, 0 when Redis has it already. Restored members
 * keep their join order, before any newcomer. One restored away keeps its place until
 * awayUntil. One Redis has as away on another node, whose socket came back here, moves here.
 */
const RESTORE = `
local prefix, socketId, nodeId, awayUntil = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local pkey = prefix .. 'p:' .. socketId
if redis.call('EXISTS', pkey) == 1 then
  local previous = redis.call('HGET', pkey, 'node')
  if awayUntil == '' and previous ~= nodeId and redis.call('ZSCORE', prefix .. 'away', socketId) then
    redis.call('ZREM', prefix .. 'away', socketId)
    redis.call('HDEL', pkey, 'seen')
    redis.call('SREM', prefix .. 'node:' .. previous, socketId)
    redis.call('SADD', prefix .. 'node:' .. nodeId, socketId)
    redis.call('HSET', pkey, 'node', nodeId)
  end
  return 0
end
local fields = {}
for i = 5, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('HSET', pkey, unpack(fields))
redis.call('HSET', pkey, 'node', nodeId)
if awayUntil ~= '' then
  redis.call('ZADD', prefix .. 'away', awayUntil, socketId)
else
  redis.call('HDEL', pkey, 'seen')
end
local roomId = redis.call('HGET', pkey, 'roomId')
local joinedAt = tonumber(redis.call('HGET', pkey, 'joinedAt')) or 0
redis.call('ZADD', prefix .. 'room:' .. roomId, joinedAt - 1e13, socketId)
redis.call('SADD', prefix .. 'rooms', roomId)
redis.call('SADD', prefix .. 'node:' .. nodeId, socketId)
redis.call('INCR', prefix .. 'count')
return 1
`;

type Fields = string[];

/** How long a participant must have been found not connected here before reconcile acts. */
const MIN_SUSPICION_MS = 1_000;

function toRecord(flat: Fields): Record<string, string> {
  const record: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) record[flat[i]] = flat[i + 1];
  return record;
}
type Member = [string, Fields];

interface RegistryCommands {
  registryJoin(...args: string[]): Promise<[string, Fields, Member[]]>;
  registryLeave(...args: string[]): Promise<Fields>;
  registrySameRoom(...args: string[]): Promise<number>;
  registrySetField(...args: string[]): Promise<string | null>;
  registryParticipants(...args: string[]): Promise<Member[]>;
  registryRemoveNode(...args: string[]): Promise<[Member[], Member[]]>;
  registryLock(...args: string[]): Promise<number>;
  registrySessionSetAdd(...args: string[]): Promise<number>;
  registryEnqueue(...args: string[]): Promise<number>;
  registryDequeue(...args: string[]): Promise<Fields>;
  registryWaiting(...args: string[]): Promise<Member[]>;
  registryMarkAway(...args: string[]): Promise<[number, Fields]>;
  registryMarkBack(...args: string[]): Promise<[number, Fields]>;
  registryRemoveExpiredAway(...args: string[]): Promise<Member[]>;
  registryRestore(...args: string[]): Promise<number>;
  registryConfirmLeave(...args: string[]): Promise<[string, Fields]>;
  registryReconcileGone(...args: string[]): Promise<[string, Fields]>;
}

function toWaitingEntry(socketId: string, flat: Fields): WaitingEntry {
  const fields = new Map<string, string>();
  for (let i = 0; i + 1 < flat.length; i += 2) fields.set(flat[i], flat[i + 1]);
  const entry: WaitingEntry = {
    socketId,
    roomId: fields.get('roomId') ?? '',
    name: fields.get('name') ?? '',
    since: Number(fields.get('since')),
  };
  const userId = fields.get('userId');
  if (userId) entry.userId = userId;
  const node = fields.get('node');
  if (node) entry.node = node;
  return entry;
}

function toRole(value: string | undefined): Role {
  return value === 'host' || value === 'cohost' ? value : 'participant';
}

function toParticipant(socketId: string, flat: Fields): Participant {
  const fields = new Map<string, string>();
  for (let i = 0; i + 1 < flat.length; i += 2) fields.set(flat[i], flat[i + 1]);
  const participant: Participant = {
    socketId,
    roomId: fields.get('roomId') ?? '',
    name: fields.get('name') ?? '',
    joinedAt: Number(fields.get('joinedAt')),
    // null until the participant reports its state.
    media: JSON.parse(fields.get('media') ?? 'null') as MediaState | null,
    handRaised: fields.get('hand') === '1',
    role: toRole(fields.get('role')),
  };
  const userId = fields.get('userId');
  if (userId) participant.userId = userId;
  const sessionId = fields.get('session');
  if (sessionId) participant.sessionId = sessionId;
  const seen = Number(fields.get('seen'));
  if (seen > 0) participant.lastSeenAt = seen;
  return participant;
}

/**
 * The RoomRegistry shared by every instance through Redis: membership, names, media states
 * and join times, updated atomically by Lua scripts. Each instance heartbeats; the
 * participants of an instance that stops (crash, SIGKILL) are removed by the survivors.
 */
export class RedisRoomRegistry implements RoomRegistry {
  readonly nodeId = `${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`;
  private readonly redis: Redis & RegistryCommands;
  private readonly aliveKey: string;
  /**
   * This instance's participants as Redis holds them (for restoreIfLost after Redis restarts
   * empty, and lastKnown while it cannot be reached): read again at each heartbeat, and kept
   * current by every change this instance makes, so a join or a change of the last moments
   * before a restart is published again as it was.
   */
  private published = new Map<string, Record<string, string>>();
  /** Those of them whose connection dropped: until when they keep their place (ms). */
  private awayUntil = new Map<string, number>();
  /** Local changes, numbered, so a heartbeat's reading does not undo one made meanwhile. */
  private changes = 0;
  private readonly changedAt = new Map<string, number>();
  /**
   * Departures of this instance's participants whose LEAVE got no answer (Redis unreachable
   * or hung): they may have happened or not; reconcile finds out and reports them once.
   */
  private readonly unconfirmedLeaves = new Map<
    string,
    { token: string; participant: Participant }
  >();
  /**
   * Joins whose JOIN got no answer (the caller was told it failed): if Redis ran it late, the
   * socket is in that room there but in no room here; reconcile takes it out without a word
   * (nobody heard it join). Socket id → room.
   */
  private readonly unconfirmedJoins = new Map<string, string>();
  /** Participants of this node found not connected here at the last reconcile: since when. */
  private suspects = new Map<string, { roomId: string; since: number }>();
  private readonly reconnectListeners = new Set<() => void>();

  constructor(
    redis: Redis,
    private readonly prefix = 'meet:',
  ) {
    redis.defineCommand('registryJoin', { numberOfKeys: 0, lua: JOIN });
    redis.defineCommand('registryLeave', { numberOfKeys: 0, lua: LEAVE });
    redis.defineCommand('registrySameRoom', { numberOfKeys: 0, lua: SAME_ROOM });
    redis.defineCommand('registrySetField', { numberOfKeys: 0, lua: SET_FIELD });
    redis.defineCommand('registryParticipants', { numberOfKeys: 0, lua: PARTICIPANTS });
    redis.defineCommand('registryRemoveNode', { numberOfKeys: 0, lua: REMOVE_NODE });
    redis.defineCommand('registryLock', { numberOfKeys: 0, lua: LOCK });
    redis.defineCommand('registrySessionSetAdd', { numberOfKeys: 0, lua: SESSION_SET_ADD });
    redis.defineCommand('registryEnqueue', { numberOfKeys: 0, lua: ENQUEUE });
    redis.defineCommand('registryDequeue', { numberOfKeys: 0, lua: DEQUEUE });
    redis.defineCommand('registryWaiting', { numberOfKeys: 0, lua: WAITING });
    redis.defineCommand('registryMarkAway', { numberOfKeys: 0, lua: MARK_AWAY });
    redis.defineCommand('registryMarkBack', { numberOfKeys: 0, lua: MARK_BACK });
    redis.defineCommand('registryRemoveExpiredAway', { numberOfKeys: 0, lua: REMOVE_EXPIRED_AWAY });
    redis.defineCommand('registryRestore', { numberOfKeys: 0, lua: RESTORE });
    redis.defineCommand('registryConfirmLeave', { numberOfKeys: 0, lua: CONFIRM_LEAVE });
    redis.defineCommand('registryReconcileGone', { numberOfKeys: 0, lua: RECONCILE_GONE });
    this.redis = redis as Redis & RegistryCommands;
    this.aliveKey = `${prefix}alive:${this.nodeId}`;
    // Each (re)connection: whoever keeps this instance's presence may publish it again at
    // once, rather than at its next heartbeat (joins meanwhile would see a partial room).
    redis.on('ready', () => {
      for (const listener of this.reconnectListeners) listener();
    });
  }

  /** Calls the listener each time the connection to Redis is (again) ready. */
  onReconnect(listener: () => void): () => void {
    this.reconnectListeners.add(listener);
    return () => this.reconnectListeners.delete(listener);
  }

  /** Records this instance's participant as Redis now holds it (undefined: not ours any more). */
  private remember(
    socketId: string,
    fields: Record<string, string> | undefined,
    awayUntil?: number,
  ): void {
    this.changedAt.set(socketId, ++this.changes);
    if (fields === undefined) {
      this.published.delete(socketId);
      this.awayUntil.delete(socketId);
      return;
    }
    this.published.set(socketId, fields);
    if (awayUntil === undefined) this.awayUntil.delete(socketId);
    else this.awayUntil.set(socketId, awayUntil);
  }

  async join(newcomer: NewParticipant, capacity: number): Promise<JoinOutcome> {
    // A socket held by another instance (let in from its waiting room by a host here) is
    // that instance's to publish and reconcile, not this one's.
    const node = newcomer.node ?? this.nodeId;
    const mine = node === this.nodeId;
    let answer: [string, Fields, Member[]];
    try {
      answer = await this.redis.registryJoin(
        this.prefix,
        newcomer.socketId,
        newcomer.roomId,
        newcomer.name,
        newcomer.userId ?? '',
        String(newcomer.joinedAt ?? Date.now()),
        String(capacity),
        node,
        newcomer.role ?? 'participant',
        newcomer.sessionId ?? '',
      );
    } catch (error) {
      if (mine && isRedisUnavailableError(error)) {
        this.unconfirmedJoins.set(newcomer.socketId, newcomer.roomId);
      }
      throw error;
    }
    this.unconfirmedJoins.delete(newcomer.socketId);
    const [status, left, members] = answer;
    if (status === 'full') throw new RoomFullError(newcomer.roomId, capacity);
    const own = members.find(([socketId]) => socketId === newcomer.socketId);
    if (own && mine) this.remember(newcomer.socketId, toRecord(own[1]));
    return {
      rejoined: status === 'same',
      left: left.length > 0 ? toParticipant(newcomer.socketId, left) : undefined,
      participants: members.map(([socketId, fields]) => toParticipant(socketId, fields)),
    };
  }

  async leave(socketId: string): Promise<Participant | undefined> {
    // This instance's own participant: its removal leaves a token behind, in case the answer
    // is lost (see reconcile).
    const known = this.published.get(socketId);
    const token = known
      ? (this.unconfirmedLeaves.get(socketId)?.token ?? randomBytes(8).toString('hex'))
      : '';
    let fields: Fields;
    try {
      fields = await this.redis.registryLeave(this.prefix, socketId, token);
    } catch (error) {
      if (known && isRedisUnavailableError(error)) {
        this.unconfirmedLeaves.set(socketId, {
          token,
          participant: toParticipant(socketId, Object.entries(known).flat()),
        });
      }
      throw error;
    }
    this.unconfirmedLeaves.delete(socketId);
    this.unconfirmedJoins.delete(socketId);
    // Recorded (and so announced by the caller): never one of the departures restoreIfLost
    // would announce.
    this.remember(socketId, undefined);
    return fields.length > 0 ? toParticipant(socketId, fields) : undefined;
  }

  async participant(socketId: string): Promise<Participant | undefined> {
    const fields = await this.redis.hgetall(`${this.prefix}p:${socketId}`);
    return fields.roomId === undefined
      ? undefined
      : toParticipant(socketId, Object.entries(fields).flat());
  }

  async inSameRoom(socketA: string, socketB: string): Promise<boolean> {
    return (await this.redis.registrySameRoom(this.prefix, socketA, socketB)) === 1;
  }

  async participants(roomId: string): Promise<Participant[]> {
    const members = await this.redis.registryParticipants(this.prefix, roomId);
    return members.map(([socketId, fields]) => toParticipant(socketId, fields));
  }

  /** Sets a field of a participant's record; its room, or undefined when in none. */
  private async setField(
    socketId: string,
    field: string,
    value: string,
  ): Promise<string | undefined> {
    const roomId = await this.redis.registrySetField(this.prefix, socketId, field, value);
    if (roomId === null) return undefined;
    const known = this.published.get(socketId);
    if (known) this.remember(socketId, { ...known, [field]: value }, this.awayUntil.get(socketId));
    return roomId;
  }

  async setMedia(socketId: string, media: MediaState): Promise<string | undefined> {
    return this.setField(socketId, 'media', JSON.stringify(media));
  }

  async setLocked(roomId: string, locked: boolean): Promise<void> {
    if (locked) await this.redis.registryLock(this.prefix, roomId);
    else await this.redis.del(`${this.prefix}lock:${roomId}`);
  }

  async isLocked(roomId: string): Promise<boolean> {
    return (await this.redis.exists(`${this.prefix}lock:${roomId}`)) === 1;
  }

  async enqueue(entry: WaitingEntry): Promise<void> {
    await this.redis.registryEnqueue(
      this.prefix,
      entry.socketId,
      entry.roomId,
      entry.name,
      entry.userId ?? '',
      String(entry.since),
      entry.node ?? this.nodeId,
    );
  }

  async dequeue(roomId: string, socketId: string): Promise<WaitingEntry | undefined> {
    const fields = await this.redis.registryDequeue(this.prefix, socketId, roomId);
    return fields.length > 0 ? toWaitingEntry(socketId, fields) : undefined;
  }

  async leaveQueue(socketId: string): Promise<WaitingEntry | undefined> {
    const fields = await this.redis.registryDequeue(this.prefix, socketId, '');
    return fields.length > 0 ? toWaitingEntry(socketId, fields) : undefined;
  }

  async waiting(roomId: string): Promise<WaitingEntry[]> {
    const entries = await this.redis.registryWaiting(this.prefix, roomId);
    return entries.map(([socketId, fields]) => toWaitingEntry(socketId, fields));
  }

  async banSocket(roomId: string, socketId: string): Promise<void> {
    await this.redis.registrySessionSetAdd(this.prefix, 'bans', roomId, socketId);
  }

  async isSocketBanned(roomId: string, socketId: string): Promise<boolean> {
    return (await this.redis.sismember(`${this.prefix}bans:${roomId}`, socketId)) === 1;
  }

  async grantCohost(roomId: string, userId: string, granted: boolean): Promise<void> {
    if (granted) await this.redis.registrySessionSetAdd(this.prefix, 'cohosts', roomId, userId);
    else await this.redis.srem(`${this.prefix}cohosts:${roomId}`, userId);
  }

  async isCohost(roomId: string, userId: string): Promise<boolean> {
    return (await this.redis.sismember(`${this.prefix}cohosts:${roomId}`, userId)) === 1;
  }

  async setRole(socketId: string, role: Role): Promise<string | undefined> {
    return this.setField(socketId, 'role', role);
  }

  async rename(socketId: string, name: string): Promise<void> {
    await this.setField(socketId, 'name', name);
  }

  async setHandRaised(socketId: string, raised: boolean): Promise<string | undefined> {
    return this.setField(socketId, 'hand', raised ? '1' : '0');
  }

  async markAway(
    socketId: string,
    until: number,
  ): Promise<{ participant: Participant; away: boolean } | undefined> {
    const now = Date.now();
    const [marked, fields] = await this.redis.registryMarkAway(
      this.prefix,
      socketId,
      String(until),
      this.nodeId,
      String(now),
    );
    if (fields.length === 0) return undefined;
    // Not marked: it lives on another node now (it came back there first).
    if (marked === 1) this.remember(socketId, { ...toRecord(fields), seen: String(now) }, until);
    else this.remember(socketId, undefined);
    return { participant: toParticipant(socketId, fields), away: marked === 1 };
  }

  async markBack(
    socketId: string,
  ): Promise<{ participant: Participant; wasAway: boolean } | undefined> {
    const [wasAway, fields] = await this.redis.registryMarkBack(this.prefix, socketId, this.nodeId);
    if (fields.length === 0) return undefined;
    this.remember(socketId, { ...toRecord(fields), node: this.nodeId });
    return { participant: toParticipant(socketId, fields), wasAway: wasAway === 1 };
  }

  async removeExpiredAway(now: number): Promise<Participant[]> {
    const removed = await this.redis.registryRemoveExpiredAway(this.prefix, String(now));
    for (const [socketId] of removed) {
      if (this.published.has(socketId)) this.remember(socketId, undefined);
    }
    return removed.map(([socketId, fields]) => toParticipant(socketId, fields));
  }

  async stats(): Promise<RoomStats> {
    const [rooms, count, localParticipants] = await Promise.all([
      this.redis.scard(`${this.prefix}rooms`),
      this.redis.get(`${this.prefix}count`),
      this.redis.scard(`${this.prefix}node:${this.nodeId}`),
    ]);
    return { rooms, participants: Math.max(0, Number(count ?? 0)), localParticipants };
  }

  async reachable(): Promise<boolean> {
    const answer = await withinTimeLimit(
      this.redis.ping().catch(() => 'failed'),
      PING_WAIT_MS,
    );
    return answer === 'PONG';
  }

  /**
   * Announces this instance and reads its participants again from Redis (changes of another
   * instance to them, such as a role a host gave, come with it). Not while Redis lost what
   * this instance published (no alive key): restoreIfLost, at the next beat, publishes its
   * copy again, which the empty reading would have erased.
   */
  async heartbeat(): Promise<void> {
    const startedAt = this.changes;
    const [, alive] = ((await this.redis
      .multi()
      .zadd(`${this.prefix}nodes`, Date.now(), this.nodeId)
      .exists(this.aliveKey)
      .exec()) ?? []) as [unknown, [Error | null, number] | undefined];
    if (alive?.[1] !== 1) {
      if (this.published.size === 0) await this.redis.set(this.aliveKey, '1');
      return;
    }
    const ids = await this.redis.smembers(`${this.prefix}node:${this.nodeId}`);
    const pipeline = this.redis.pipeline();
    for (const id of ids)
      pipeline.hgetall(`${this.prefix}p:${id}`).zscore(`${this.prefix}away`, id);
    const answers = (await pipeline.exec()) ?? [];
    const copy = new Map<string, Record<string, string>>();
    const away = new Map<string, number>();
    ids.forEach((id, index) => {
      const [error, fields] = answers[2 * index] ?? [];
      const record = fields as Record<string, string> | null;
      if (error || !record || record.roomId === undefined) return;
      copy.set(id, record);
      const [, score] = answers[2 * index + 1] ?? [];
      if (score !== null && score !== undefined) away.set(id, Number(score));
    });
    // What changed here while Redis was read is newer than what was read.
    for (const [id, change] of this.changedAt) {
      if (change <= startedAt) {
        this.changedAt.delete(id);
        continue;
      }
      const known = this.published.get(id);
      const until = this.awayUntil.get(id);
      if (known) copy.set(id, known);
      else copy.delete(id);
      if (known && until !== undefined) away.set(id, until);
      else away.delete(id);
    }
    this.published = copy;
    this.awayUntil = away;
  }

  lastKnown(socketId: string): Participant | undefined {
    const fields = this.published.get(socketId);
    return fields ? toParticipant(socketId, Object.entries(fields).flat()) : undefined;
  }

  async restoreIfLost(
    isStillHere: (socketId: string, roomId: string) => boolean,
  ): Promise<{ restored: Participant[]; departed: Participant[] }> {
    const restored: Participant[] = [];
    const departed: Participant[] = [];
    if ((await this.redis.exists(this.aliveKey)) === 1) return { restored, departed };
    const now = Date.now();
    for (const [socketId, fields] of [...this.published]) {
      const flat = Object.entries(fields).flat();
      const here = isStillHere(socketId, fields.roomId);
      // Its connection dropped: it keeps its place until its time runs out, as before.
      const until = this.awayUntil.get(socketId);
      const away = !here && until !== undefined && until > now;
      if (!here && !away) {
        departed.push(toParticipant(socketId, flat));
      } else if (
        (await this.redis.registryRestore(
          this.prefix,
          socketId,
          this.nodeId,
          away ? String(until) : '',
          ...flat,
        )) === 1
      ) {
        restored.push(toParticipant(socketId, flat));
      }
    }
    if (departed.length > 0) {
      // Every instance reads these at its next heartbeat and tells its own members (see
      // departedWhileLost): a broadcast now could reach nobody, other instances' adapters
      // being still on their way back to Redis.
      await this.redis.hset(
        `${this.prefix}departed`,
        ...departed.flatMap(({ socketId }) => [
          socketId,
          JSON.stringify({ fields: this.published.get(socketId), at: now }),
        ]),
      );
    }
    await this.redis.set(this.aliveKey, '1');
    for (const { socketId } of departed) {
      this.remember(socketId, undefined);
      // Told through `departed`: not a departure for reconcile to report as well.
      this.unconfirmedLeaves.delete(socketId);
      this.suspects.delete(socketId);
    }
    return { restored, departed };
  }

  /**
   * Makes Redis agree with this instance's own sockets (after an outage that Redis came back
   * from with its data, or a hung Redis): departures whose LEAVE got no answer are settled,
   * and participants of this node whose socket is no longer here, found so at two calls in a
   * row (never a join or drop in progress), are marked away until `graceMs` after they were
   * first found gone (their grace window), or removed. Returns the participants removed, for
   * the caller to announce (each once: nobody else announced them).
   */
  async reconcile(
    isStillHere: (socketId: string, roomId: string) => boolean,
    graceMs: number,
  ): Promise<Participant[]> {
    const removed: Participant[] = [];
    for (const [socketId, { token, participant }] of [...this.unconfirmedLeaves]) {
      if (isStillHere(socketId, participant.roomId)) {
        // Its caller was told the leave failed; still in its room here: it stays.
        this.unconfirmedLeaves.delete(socketId);
        continue;
      }
      const [outcome, fields] = await this.redis.registryConfirmLeave(
        this.prefix,
        socketId,
        this.nodeId,
        token,
      );
      this.unconfirmedLeaves.delete(socketId);
      this.suspects.delete(socketId);
      if (outcome === 'removed') removed.push(toParticipant(socketId, fields));
      else if (outcome === 'late') removed.push(participant);
      if (this.published.has(socketId)) this.remember(socketId, undefined);
    }
    for (const [socketId, roomId] of [...this.unconfirmedJoins]) {
      this.unconfirmedJoins.delete(socketId);
      if (isStillHere(socketId, roomId)) continue;
      const [outcome] = await this.redis.registryReconcileGone(
        this.prefix,
        socketId,
        this.nodeId,
        '0',
        String(Date.now()),
        roomId,
      );
      if (outcome === 'removed' && this.published.has(socketId)) this.remember(socketId, undefined);
    }
    const now = Date.now();
    const suspects = new Map<string, { roomId: string; since: number }>();
    for (const [socketId, fields] of [...this.published]) {
      if (this.awayUntil.has(socketId) || isStillHere(socketId, fields.roomId)) continue;
      const before = this.suspects.get(socketId);
      if (before?.roomId !== fields.roomId) {
        suspects.set(socketId, { roomId: fields.roomId, since: now });
        continue;
      }
      // Two calls in quick succession (a reconnection's heartbeat) prove nothing yet.
      if (now - before.since < MIN_SUSPICION_MS) {
        suspects.set(socketId, before);
        continue;
      }
      const until = before.since + graceMs;
      const [outcome, current] = await this.redis.registryReconcileGone(
        this.prefix,
        socketId,
        this.nodeId,
        String(until),
        String(now),
      );
      if (outcome === 'removed') {
        removed.push(toParticipant(socketId, current));
        this.remember(socketId, undefined);
      } else if (outcome === 'away') {
        this.remember(socketId, toRecord(current), until);
      }
    }
    this.suspects = suspects;
    return removed;
  }

  async departedWhileLost(since: number): Promise<Departure[]> {
    const key = `${this.prefix}departed`;
    const entries = await this.redis.hgetall(key);
    const recent: Departure[] = [];
    const stale: string[] = [];
    for (const [socketId, json] of Object.entries(entries)) {
      try {
        const { fields, at } = JSON.parse(json) as { fields: Record<string, string>; at: number };
        if (at >= since) {
          recent.push({ participant: toParticipant(socketId, Object.entries(fields).flat()), at });
          continue;
        }
      } catch {
        // Not ours to read: dropped like an old one.
      }
      stale.push(socketId);
    }
    if (stale.length > 0) await this.redis.hdel(key, ...stale);
    return recent;
  }

  async removeDeadNodes(deadBefore: number): Promise<Ghosts> {
    const dead = await this.redis.zrangebyscore(
      `${this.prefix}nodes`,
      '-inf',
      deadBefore,
      'WITHSCORES',
    );
    const removed: Ghosts = { participants: [], waiting: [] };
    for (let i = 0; i + 1 < dead.length; i += 2) {
      const [nodeId, lastBeat] = [dead[i], Number(dead[i + 1])];
      if (nodeId === this.nodeId) continue;
      // Only the survivor whose ZREM succeeds cleans up, so each ghost is announced once.
      if ((await this.redis.zrem(`${this.prefix}nodes`, nodeId)) !== 1) continue;
      const [members, waiting] = await this.redis.registryRemoveNode(this.prefix, nodeId, '0');
      // Last seen at their instance's last heartbeat, unless their connection dropped earlier.
      removed.participants.push(
        ...members.map(([socketId, fields]) => {
          const ghost = toParticipant(socketId, fields);
          ghost.lastSeenAt = Math.min(ghost.lastSeenAt ?? lastBeat, lastBeat);
          return ghost;
        }),
      );
      removed.waiting.push(
        ...waiting.map(([socketId, fields]) => toWaitingEntry(socketId, fields)),
      );
    }
    return removed;
  }

  /** Forgets this instance's participants (a clean shutdown leaves no ghosts) and disconnects. */
  async close(): Promise<void> {
    // Bounded: with Redis down the survivors' heartbeat sweep removes them instead.
    try {
      await withinTimeLimit(
        Promise.all([
          this.redis.registryRemoveNode(this.prefix, this.nodeId, '1'),
          this.redis.del(this.aliveKey),
        ]),
        CLOSE_WAIT_MS,
      );
    } finally {
      this.redis.disconnect();
    }
  }
}
