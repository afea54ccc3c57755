/**
 * The floor for bench/signaling, bench/chat and bench/joins: a plain Socket.IO server with the
 * same events and no Nest, no validation, no registry, no persistence (a joiner hears the
 * room's members from an in-memory map). Prints its port on stdout.
 */
import { createServer } from 'node:http';
import { Server } from 'socket.io';

const httpServer = createServer();
const io = new Server(httpServer, { maxHttpBufferSize: 256 * 1024 });
const roomOf = new Map<string, string>();
/** Each room's members, and every socket's name: a joiner learns who is already there. */
const membersOf = new Map<string, Set<string>>();
const nameOf = new Map<string, string>();

function leaveRoom(socketId: string): void {
  const room = roomOf.get(socketId);
  if (room === undefined) return;
  roomOf.delete(socketId);
  const members = membersOf.get(room);
  members?.delete(socketId);
  if (members?.size === 0) membersOf.delete(room);
}

io.on('connection', (socket) => {
  socket.on('join-call', (roomId: string, name: string) => {
    const previous = roomOf.get(socket.id);
    if (previous !== undefined && previous !== roomId) void socket.leave(previous);
    leaveRoom(socket.id);
    roomOf.set(socket.id, roomId);
    nameOf.set(socket.id, name);
    let members = membersOf.get(roomId);
    if (!members) membersOf.set(roomId, (members = new Set()));
    members.add(socket.id);
    void socket.join(roomId);
    const names: Record<string, string> = {};
    for (const id of members) names[id] = nameOf.get(id) ?? '';
    io.to(roomId).emit('user-joined', socket.id, [...members], names);
  });
  socket.on('signal', (to: string, message: unknown) => {
    io.to(to).emit('signal', socket.id, message);
  });
  socket.on('chat-message', (text: string, sender: string) => {
    const room = roomOf.get(socket.id);
    if (room) io.to(room).emit('chat-message', text, sender, socket.id);
  });
  socket.on('disconnect', () => {
    leaveRoom(socket.id);
    nameOf.delete(socket.id);
  });
});

httpServer.listen(0, '127.0.0.1', () => {
  const address = httpServer.address();
  process.stdout.write(`${typeof address === 'object' && address ? address.port : 0}\n`);
});
process.on('SIGTERM', () => process.exit(0));
