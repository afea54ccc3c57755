import { Server } from 'socket.io';
import { BoundedRecoveryAdapter, MAX_RECOVERY_PACKETS } from './bounded-recovery.adapter.js';

/** The packets Socket.IO keeps for sockets that may recover (the adapter's own store). */
function kept(server: Server): { emittedAt: number }[] {
  return (server.of('/').adapter as unknown as { packets: { emittedAt: number }[] }).packets;
}

describe('BoundedRecoveryAdapter (connection state recovery on one instance)', () => {
  // Never attached to an HTTP server: nothing to close (the adapter's own timer is unref'd).
  function serverWithGrace(maxDisconnectionDuration: number): Server {
    const server = new Server({ connectionStateRecovery: { maxDisconnectionDuration } });
    server.adapter(BoundedRecoveryAdapter);
    return server;
  }

  it('keeps at most MAX_RECOVERY_PACKETS broadcasts under a flood, the newest', () => {
    // A window the flood cannot outlast, however slow the machine: only the cap trims.
    const server = serverWithGrace(60_000);
    const flood = MAX_RECOVERY_PACKETS + 5_000;
    for (let i = 0; i < flood; i++) server.to('room:a').emit('chat-message', `m${i}`, 'A', 'id');
    const packets = kept(server) as unknown as { data: unknown[] }[];
    expect(packets.length).toBeGreaterThanOrEqual(MAX_RECOVERY_PACKETS);
    expect(packets.length).toBeLessThanOrEqual(MAX_RECOVERY_PACKETS + 1_000);
    expect(packets[packets.length - 1].data[1]).toBe(`m${flood - 1}`);
  });

  it('drops broadcasts within about a second of the grace window ending (Socket.IO: a minute)', async () => {
    const server = serverWithGrace(500);
    for (let i = 0; i < 10; i++) server.to('room:a').emit('chat-message', `old ${i}`, 'A', 'id');
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    server.to('room:a').emit('chat-message', 'new', 'A', 'id');
    expect(kept(server)).toHaveLength(1);
  });
});
