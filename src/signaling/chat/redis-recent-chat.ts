import type { Redis } from 'ioredis';

/** A chat message as a live room's recent history in Redis keeps it. */
export interface RecentEntry {
  /** The message's id (the stored document's), hex. */
  id: string;
  /** When it was sent (ms). */
  at: number;
  text: string;
  senderName: string;
  senderSocketId: string;
}

/**
 * Appends a message to a room's list, keeping its last `limit` entries, for `ttl` ms after
 * the last message (the list and the room's "complete" mark alike).
 * KEYS: list, complete mark. ARGV: entry, limit, ttl.
 */
const APPEND = `
redis.call('RPUSH', KEYS[1], ARGV[1])
redis.call('LTRIM', KEYS[1], -tonumber(ARGV[2]), -1)
redis.call('PEXPIRE', KEYS[1], ARGV[3])
if redis.call('EXISTS', KEYS[2]) == 1 then redis.call('PEXPIRE', KEYS[2], ARGV[3]) end
return 1
`;

/**
 * The room's list, or nil when nobody has completed it from the database yet (KEYS: list,
 * complete mark), unless ARGV[1] is 'any'.
 */
const READ = `
if ARGV[1] ~= 'any' and redis.call('EXISTS', KEYS[2]) == 0 then return false end
return redis.call('LRANGE', KEYS[1], 0, -1)
`;

/**
 * Completes the room's list with what the database holds (ARGV[3..], oldest first): merged
 * with what was appended meanwhile, each message once (by id), in order of sending, the last
 * `limit` kept; then marks it complete. When another instance completed it first, its list
 * stands. Entries are parsed by their prefix only (see encode): no JSON in Lua.
 * KEYS: list, complete mark. ARGV: limit, ttl, entries... Returns the list.
 */
const COMPLETE = `
if redis.call('EXISTS', KEYS[2]) == 1 then return redis.call('LRANGE', KEYS[1], 0, -1) end
local seen = {}
local merged = {}
local function add(raw)
  local at, id = string.match(raw, '^(%d+):(%x+):')
  if at and not seen[id] then
    seen[id] = true
    merged[#merged + 1] = { tonumber(at), id, raw }
  end
end
for i = 3, #ARGV do add(ARGV[i]) end
for _, raw in ipairs(redis.call('LRANGE', KEYS[1], 0, -1)) do add(raw) end
table.sort(merged, function(a, b)
  if a[1] ~= b[1] then return a[1] < b[1] end
  return a[2] < b[2]
end)
local kept = {}
for i = math.max(1, #merged - tonumber(ARGV[1]) + 1), #merged do kept[#kept + 1] = merged[i][3] end
redis.call('DEL', KEYS[1])
if #kept > 0 then
  redis.call('RPUSH', KEYS[1], unpack(kept))
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
redis.call('SET', KEYS[2], '1', 'PX', ARGV[2])
return kept
`;

/** A room's list is no longer complete (an append failed): the next join completes it again. */
const INVALIDATE = `return redis.call('DEL', KEYS[2])`;

/** How an entry is kept: "<sent at ms>:<id hex>:<JSON>", ordered and deduplicated by the prefix. */
function encode(entry: RecentEntry): string {
  return `${entry.at}:${entry.id}:${JSON.stringify(entry)}`;
}

function decode(raw: string): RecentEntry {
  const json = raw.indexOf(':', raw.indexOf(':') + 1) + 1;
  return JSON.parse(raw.slice(json)) as RecentEntry;
}

/** A room's recent history never outlives this, whatever CHAT_RETENTION says (rebuilt then). */
const MAX_TTL_MS = 3_600_000;

interface RecentChatCommands {
  recentChatAppend(list: string, mark: string, ...args: (string | number)[]): Promise<number>;
  recentChatRead(list: string, mark: string, mode: string): Promise<string[] | null>;
  recentChatComplete(list: string, mark: string, ...args: (string | number)[]): Promise<string[]>;
  recentChatInvalidate(list: string, mark: string): Promise<number>;
}

/**
 * Live rooms' recent chat in Redis, when scaled out: every instance appends the messages it
 * delivers (before delivering them), so a late joiner on any instance reads the room's last
 * messages from one list, including those no database write has stored yet. A room's list
 * is complete once an instance merged the database's history into it (its first join after
 * the list expired or Redis lost it); until then joins read the database. Capped at
 * CHAT_HISTORY_LIMIT entries, and gone CHAT_RETENTION (at most an hour) after the room's
 * last message.
 */
export class RedisRecentChat {
  private readonly redis: Redis & RecentChatCommands;
  private readonly ttlMs: number;
  /** Rooms whose list missed a message and could not be marked incomplete yet. */
  private readonly gaps = new Set<string>();

  constructor(
    redis: Redis,
    private readonly prefix: string,
    private readonly limit: number,
    ttlMs: number,
  ) {
    redis.defineCommand('recentChatAppend', { numberOfKeys: 2, lua: APPEND });
    redis.defineCommand('recentChatRead', { numberOfKeys: 2, lua: READ });
    redis.defineCommand('recentChatComplete', { numberOfKeys: 2, lua: COMPLETE });
    redis.defineCommand('recentChatInvalidate', { numberOfKeys: 2, lua: INVALIDATE });
    this.redis = redis as Redis & RecentChatCommands;
    this.ttlMs = Math.min(ttlMs, MAX_TTL_MS);
  }

  /**
   * Appends a message; when that fails, the room's list is marked incomplete (now, or after
   * a later append succeeds), so that joins read the database again rather than miss it.
   */
  async append(room: string, entry: RecentEntry): Promise<void> {
    try {
      await this.redis.recentChatAppend(...this.keys(room), encode(entry), this.limit, this.ttlMs);
    } catch (error) {
      this.gaps.add(room);
      throw error;
    }
    for (const gap of this.gaps) {
      this.gaps.delete(gap);
      await this.redis.recentChatInvalidate(...this.keys(gap)).catch(() => this.gaps.add(gap));
    }
  }

  /** The room's recent messages, oldest first; undefined until the list is complete. */
  async read(room: string): Promise<RecentEntry[] | undefined> {
    const raw = await this.redis.recentChatRead(...this.keys(room), 'complete');
    if (raw === null || this.gaps.has(room)) return undefined;
    return raw.map(decode);
  }

  /** Whatever the room's list holds, complete or not (the database cannot be read). */
  async readAny(room: string): Promise<RecentEntry[]> {
    const raw = await this.redis.recentChatRead(...this.keys(room), 'any');
    return (raw ?? []).map(decode);
  }

  /** Merges the database's history (oldest first) into the room's list: the complete list. */
  async complete(room: string, stored: RecentEntry[]): Promise<RecentEntry[]> {
    const raw = await this.redis.recentChatComplete(
      ...this.keys(room),
      this.limit,
      this.ttlMs,
      ...stored.slice(-this.limit).map(encode),
    );
    return raw.map(decode);
  }

  close(): void {
    this.redis.disconnect();
  }

  private keys(room: string): [list: string, mark: string] {
    return [`${this.prefix}chat:recent:${room}`, `${this.prefix}chat:complete:${room}`];
  }
}
