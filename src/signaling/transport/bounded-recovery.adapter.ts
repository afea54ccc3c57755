import { type BroadcastOptions, SessionAwareAdapter } from 'socket.io-adapter';

/**
 * At most this many packets are kept for sockets that may recover: under a flood (thousands
 * of chat messages a second) a socket away longer than they last joins again as a new one,
 * instead of the process holding every packet of the whole grace window.
 */
export const MAX_RECOVERY_PACKETS = 100_000;
/** Packets older than the grace window are dropped at most this long after they expire. */
const TRIM_EVERY_MS = 1_000;

interface StoredPacket {
  emittedAt: number;
}

/**
 * Socket.IO's own adapter for connection state recovery on one instance (no Redis), with its
 * memory bounded: Socket.IO keeps every broadcast for the grace window and drops expired ones
 * only once a minute, so under sustained chat it held up to 90 s of packets (gigabytes at
 * 12,000 messages a second). This one drops them within a second of expiring and keeps at
 * most MAX_RECOVERY_PACKETS.
 */
export class BoundedRecoveryAdapter extends SessionAwareAdapter {
  private lastTrim = 0;

  override broadcast(packet: unknown, opts: BroadcastOptions): void {
    super.broadcast(packet, opts);
    const packets = (this as unknown as { packets: StoredPacket[] }).packets;
    // In chunks: splicing the head of a long array costs its length.
    if (packets.length > MAX_RECOVERY_PACKETS + 1_000) {
      packets.splice(0, packets.length - MAX_RECOVERY_PACKETS);
    }
    const now = Date.now();
    if (now - this.lastTrim < TRIM_EVERY_MS) return;
    this.lastTrim = now;
    const threshold =
      now - (this as unknown as { maxDisconnectionDuration: number }).maxDisconnectionDuration;
    // Oldest first, emittedAt never decreasing: the first packet still in the window.
    let low = 0;
    let high = packets.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (packets[middle].emittedAt < threshold) low = middle + 1;
      else high = middle;
    }
    if (low > 0) packets.splice(0, low);
  }
}
