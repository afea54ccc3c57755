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
 * with what was appended meanwhile, each message once, in order of sending, the last `limit`
 * kept; then marks it complete. When another instance completed it first, its list stands.
 * KEYS: list, complete mark. ARGV: limit, ttl, entries... Returns the list.
 */
const COMPLETE = `
if redis.call('EXISTS', KEYS[2]) == 1 then return redis.call('LRANGE', KEYS[1], 0, -1) end
local seen = {}
local merged = {}
local function add(raw)
  local entry = cjson.decode(raw)
  if not seen[entry.id] then
    seen[entry.id] = true
    merged[#merged + 1] = { entry.at, entry.id, raw }
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

interface RecentChatCommands {
  recentChatAppend(list: string, mark: string, ...args: (string | number)[]): Promise<number>;
  recentChatRead(list: string, mark: string, mode: string): Promise<string[] | null>;
  recentChatComplete(list: string, mark: string, ...args: (string | number)[]): Promise<string[]>;
}

/**
 * Live rooms' recent chat in Redis, when scaled out: every instance appends the messages it
 * delivers (before delivering them), so a late joiner on any instance reads the room's last
 * messages from one list, including those no database write has stored yet. A room's list
 * is complete once an instance merged the database's history into it (its first join after
 * the list expired or Redis lost it); until then joins read the database. Capped at
 * CHAT_HISTORY_LIMIT entries, and gone CHAT_RETENTION after the room's last message.
 */
export class RedisRecentChat {
  private readonly redis: Redis & RecentChatCommands;

  constructor(
    redis: Redis,
    private readonly prefix: string,
    private readonly limit: number,
    private readonly ttlMs: number,
  ) {
    redis.defineCommand('recentChatAppend', { numberOfKeys: 2, lua: APPEND });
    redis.defineCommand('recentChatRead', { numberOfKeys: 2, lua: READ });
    redis.defineCommand('recentChatComplete', { numberOfKeys: 2, lua: COMPLETE });
    this.redis = redis as Redis & RecentChatCommands;
  }

  async append(room: string, entry: RecentEntry): Promise<void> {
    await this.redis.recentChatAppend(
      ...this.keys(room),
      JSON.stringify(entry),
      this.limit,
      this.ttlMs,
    );
  }

  /** The room's recent messages, oldest first; undefined until the list is complete. */
  async read(room: string): Promise<RecentEntry[] | undefined> {
    const raw = await this.redis.recentChatRead(...this.keys(room), 'complete');
    return raw === null ? undefined : raw.map((entry) => JSON.parse(entry) as RecentEntry);
  }

  /** Whatever the room's list holds, complete or not (the database cannot be read). */
  async readAny(room: string): Promise<RecentEntry[]> {
    const raw = await this.redis.recentChatRead(...this.keys(room), 'any');
    return (raw ?? []).map((entry) => JSON.parse(entry) as RecentEntry);
  }

  /** Merges the database's history (oldest first) into the room's list: the complete list. */
  async complete(room: string, stored: RecentEntry[]): Promise<RecentEntry[]> {
    const raw = await this.redis.recentChatComplete(
      ...this.keys(room),
      this.limit,
      this.ttlMs,
      ...stored.slice(-this.limit).map((entry) => JSON.stringify(entry)),
    );
    return raw.map((entry) => JSON.parse(entry) as RecentEntry);
  }

  close(): void {
    this.redis.disconnect();
  }

  private keys(room: string): [list: string, mark: string] {
    return [`${this.prefix}chat:recent:${room}`, `${this.prefix}chat:complete:${room}`];
  }
}
