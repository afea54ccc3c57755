/**
 * Where the registry last said a socket was (its room), for a short while: the signal relay
 * asks the shared registry once per target and interval instead of once per signal. Never
 * the last word: a signal it routes is addressed to the target's membership of that room,
 * which the target's own instance checks on delivery (see RoomNotifier.toMember), so a stale
 * entry can only drop a signal for a socket that has left, never deliver one outside its room.
 * Bounded: the oldest entries go first.
 */
export class ConfirmedRooms {
  private readonly rooms = new Map<string, { roomId: string; until: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly capacity: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The socket's room as last confirmed, if that was less than the TTL ago. */
  get(socketId: string): string | undefined {
    const entry = this.rooms.get(socketId);
    if (!entry) return undefined;
    if (entry.until > this.now()) return entry.roomId;
    this.rooms.delete(socketId);
    return undefined;
  }

  confirm(socketId: string, roomId: string): void {
    // Re-inserted: the Map's order stays the order of confirmation, oldest first.
    this.rooms.delete(socketId);
    this.rooms.set(socketId, { roomId, until: this.now() + this.ttlMs });
    if (this.rooms.size > this.capacity) {
      const oldest = this.rooms.keys().next();
      if (!oldest.done) this.rooms.delete(oldest.value);
    }
  }

  forget(socketId: string): void {
    this.rooms.delete(socketId);
  }

  get size(): number {
    return this.rooms.size;
  }
}
