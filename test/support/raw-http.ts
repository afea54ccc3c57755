import { connect } from 'node:net';

/** Sends raw bytes to a server and resolves with everything it answers until it closes. */
export function rawRequest(
  port: number,
  payload: string | Buffer,
  timeoutMs = 5_000,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(Buffer.concat(chunks).toString('utf8'));
    }, timeoutMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    socket.write(payload);
  });
}

/** Splits a raw HTTP/1.1 response into status code and JSON body. */
export function parseRawResponse(raw: string): { status: number; body: unknown } {
  const [head, body = ''] = raw.split('\r\n\r\n');
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]);
  return { status, body: body ? (JSON.parse(body) as unknown) : undefined };
}
