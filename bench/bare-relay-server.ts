/**
 * The floor for bench/signaling: a plain Socket.IO server with the same events and no Nest,
 * no validation, no registry, no persistence. Prints its port on stdout.
 */
import { createServer } from 'node:http';
import { Server } from 'socket.io';

const httpServer = createServer();
const io = new Server(httpServer, { maxHttpBufferSize: 256 * 1024 });
const roomOf = new Map<string, string>();

io.on('connection', (socket) => {
  socket.on('join-call', (roomId: string, name: string) => {
    roomOf.set(socket.id, roomId);
    void socket.join(roomId);
    io.to(roomId).emit('user-joined', socket.id, [socket.id], { [socket.id]: name });
  });
  socket.on('signal', (to: string, message: unknown) => {
    io.to(to).emit('signal', socket.id, message);
  });
  socket.on('chat-message', (text: string, sender: string) => {
    const room = roomOf.get(socket.id);
    if (room) io.to(room).emit('chat-message', text, sender, socket.id);
  });
  socket.on('disconnect', () => roomOf.delete(socket.id));
});

httpServer.listen(0, '127.0.0.1', () => {
  const address = httpServer.address();
  process.stdout.write(`${typeof address === 'object' && address ? address.port : 0}\n`);
});
process.on('SIGTERM', () => process.exit(0));
