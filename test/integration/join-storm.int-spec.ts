import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { EmbeddedMongoServer } from 'embedded-mongo';
import { type ClusterNode, startClusterNode } from '../support/server-process.js';
import { connectSocket, eventually, request, type TestSocket } from '../support/socket-client.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const ROOMS = 200;
const PER_ROOM = 5;
const ROUNDS = 3;

interface Member {
  socket: TestSocket;
  room: string;
  /** Who the join acknowledgement said was in the room (the joiner included). */
  answered: string[];
  /** The joiner of every `user-joined` received, in order, with the room list it carried. */
  heard: { joiner: string; clients: string[] }[];
}

/**
 * Joins racing over two instances: every member must hear each `user-joined` of its room
 * exactly once (its own, and each later joiner's), each listing it, so that what it was told
 * adds up to the room's full membership.
 */
describe('Joins that race across two instances are announced exactly once', () => {
  const prefix = `storm:${randomBytes(4).toString('hex')}:`;
  let database: EmbeddedMongoServer;
  let nodes: ClusterNode[] | undefined;

  beforeAll(async () => {
    database = await EmbeddedMongoServer.start();
    const env = {
      DB_URI: database.uri('meet'),
      REDIS_URL,
      REDIS_PREFIX: prefix,
      RATE_LIMIT_SOCKET_JOINS: '1000',
    };
    nodes = await Promise.all([startClusterNode(env), startClusterNode(env)]);
  });

  afterAll(async () => {
    nodes ??= [];
    for (const node of nodes) node.server.kill('SIGTERM');
    await Promise.all(nodes.map((node) => node.server.exited));
    await database.stop();
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  for (let round = 1; round <= ROUNDS; round++) {
    it(`round ${round}: ${ROOMS} rooms of ${PER_ROOM}, members alternating instances`, async () => {
      const members: Member[] = [];
      const started = nodes ?? [];
      try {
        for (let r = 0; r < ROOMS; r++) {
          for (let m = 0; m < PER_ROOM; m++) {
            const socket = await connectSocket(started[(r + m) % 2].url);
            const member: Member = { socket, room: `storm-${round}-${r}`, answered: [], heard: [] };
            socket.on('user-joined', (joiner, clients) => {
              member.heard.push({ joiner, clients });
            });
            members.push(member);
          }
        }
        // Everyone at once.
        await Promise.all(
          members.map(async (member) => {
            const answer = await request(member.socket, 'join-call', member.room, 'Member');
            if (!answer.ok) throw new Error(`join refused: ${answer.error.code}`);
            member.answered = (answer.participants as { socketId: string }[]).map(
              (p) => p.socketId,
            );
          }),
        );
        const expected = (members.length * (PER_ROOM + 1)) / 2;
        const total = (): number => members.reduce((sum, member) => sum + member.heard.length, 0);
        await eventually(() => total() >= expected, 20_000).catch(() => undefined);
        // Anything extra would have arrived by now.
        await new Promise((resolve) => setTimeout(resolve, 500));

        const byRoom = new Map<string, Member[]>();
        for (const member of members) {
          byRoom.set(member.room, [...(byRoom.get(member.room) ?? []), member]);
        }
        const faults: string[] = [];
        for (const [room, roomMembers] of byRoom) {
          const everyone = roomMembers.map((member) => member.socket.id ?? '').sort();
          for (const member of roomMembers) {
            const self = member.socket.id ?? '';
            const joiners = member.heard.map((event) => event.joiner);
            // Its own announcement, and one for each member its answer did not list.
            const due = [self, ...everyone.filter((id) => !member.answered.includes(id))].sort();
            if (JSON.stringify([...joiners].sort()) !== JSON.stringify(due)) {
              faults.push(`${room}: ${self} heard ${joiners.length}, due ${due.length}`);
            }
            if (member.heard.some((event) => !event.clients.includes(self))) {
              faults.push(`${room}: ${self} heard a room list without itself`);
            }
            const known = new Set([...member.answered, ...joiners]);
            if (known.size !== PER_ROOM) {
              faults.push(`${room}: ${self} knows ${known.size} of ${PER_ROOM}`);
            }
          }
        }
        expect({ heard: total(), faults: faults.slice(0, 10) }).toEqual({
          heard: expected,
          faults: [],
        });
      } finally {
        for (const member of members) member.socket.close();
      }
    }, 90_000);
  }
});
