import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { errorEnvelope } from './error-envelope.js';

/** Node's HTTP parser error codes that have a more precise status than 400. */
const PARSER_ERROR_STATUS: Readonly<Record<string, number>> = {
  HPE_HEADER_OVERFLOW: 431,
  HPE_CHUNK_EXTENSIONS_OVERFLOW: 413,
};

/**
 * Errors Node's HTTP parser raises before Express sees the request (oversized headers, a
 * malformed request line) otherwise end in a bare status line; answer them with the
 * envelope too, then close the connection (its stream position is unknown).
 */
export function installClientErrorHandler(server: Server): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const status = PARSER_ERROR_STATUS[error.code ?? ''] ?? 400;
    const envelope = errorEnvelope(status);
    const body = JSON.stringify(envelope);
    socket.end(
      `HTTP/1.1 ${status} ${envelope.error}\r\n` +
        'Content-Type: application/json; charset=utf-8\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        'Connection: close\r\n\r\n' +
        body,
    );
  });
}
