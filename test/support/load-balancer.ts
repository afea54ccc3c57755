import { connect, createServer, type Server, type Socket } from 'node:net';

export interface LoadBalancer {
  /** Where clients connect (http://127.0.0.1:<port>). */
  url: string;
  /** How many connections each backend was handed, by its port. */
  handedTo: Map<number, number>;
  close(): Promise<void>;
}

/**
 * A TCP load balancer on loopback, as nginx with `proxy_next_upstream error` behaves in front
 * of the instances: each connection goes to the next backend in turn, and to the one after
 * it when a backend refuses the connection (an instance that stopped listening). The ports
 * are read at every connection, so a backend restarted on its port is used again.
 */
export async function startLoadBalancer(backendPorts: readonly number[]): Promise<LoadBalancer> {
  const open = new Set<Socket>();
  const handedTo = new Map<number, number>();
  let next = 0;

  const forward = (client: Socket, attempt: number): void => {
    if (attempt >= backendPorts.length) {
      client.destroy();
      return;
    }
    const port = backendPorts[next++ % backendPorts.length];
    const upstream = connect(port, '127.0.0.1');
    let connected = false;
    open.add(upstream);
    upstream.once('close', () => open.delete(upstream));
    // Refused (nothing relayed yet): the next backend; later, the end of the client's too.
    upstream.once('error', () => (connected ? client.destroy() : forward(client, attempt + 1)));
    upstream.once('connect', () => {
      connected = true;
      handedTo.set(port, (handedTo.get(port) ?? 0) + 1);
      client.pipe(upstream);
      upstream.pipe(client);
      client.once('close', () => upstream.destroy());
      upstream.once('close', () => client.destroy());
    });
  };

  const server: Server = createServer({ pauseOnConnect: true }, (client) => {
    open.add(client);
    client.once('close', () => open.delete(client));
    client.on('error', () => client.destroy());
    forward(client, 0);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    handedTo,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
