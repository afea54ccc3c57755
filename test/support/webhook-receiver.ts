import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedHook {
  id: string;
  signature: string;
  body: string;
  event: { id: string; type: string; createdAt: string; data: Record<string, unknown> };
  /** When it arrived (ms). */
  at: number;
  /** What the receiver answered. */
  answer: Answer;
}

/** How to answer: a status, or misbehave (hang: never answer; endless: 200 with a body that never ends). */
export type Answer = number | 'hang' | 'endless';

/**
 * What an integrator runs: an HTTP endpoint that checks each request's signature as README
 * shows (HMAC-SHA256 of "<t>.<raw body>", recent timestamps only) and answers as told.
 */
export class WebhookReceiver {
  readonly received: ReceivedHook[] = [];
  /** Decides the answer to each request (default 204). */
  answer: (hook: Omit<ReceivedHook, 'answer'>) => Answer = () => 204;
  private readonly hanging = new Set<ServerResponse>();

  private constructor(
    private readonly server: Server,
    readonly secret: string,
  ) {}

  static async start(secret: string, port = 0): Promise<WebhookReceiver> {
    const server = createServer();
    const receiver = new WebhookReceiver(server, secret);
    server.on('request', (request: IncomingMessage, response: ServerResponse) =>
      receiver.handle(request, response),
    );
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks/meet`;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** The signature check of README, in a few lines. */
  verify(body: string, header: string, toleranceSeconds = 300): boolean {
    const parts = Object.fromEntries(
      header.split(',').map((part) => part.split('=', 2) as [string, string]),
    ) as Record<string, string | undefined>;
    const t = Number(parts.t);
    if (!Number.isInteger(t) || Math.abs(Date.now() / 1000 - t) > toleranceSeconds) return false;
    const expected = createHmac('sha256', this.secret).update(`${t}.${body}`).digest();
    const given = Buffer.from(String(parts.v1), 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  /** Requests answered 2xx, each event once (by id), in order of arrival. */
  delivered(): ReceivedHook['event'][] {
    const seen = new Set<string>();
    return this.received
      .filter(
        (hook) =>
          hook.answer === 'endless' || (typeof hook.answer === 'number' && hook.answer < 300),
      )
      .filter((hook) => !seen.has(hook.id) && seen.add(hook.id))
      .map((hook) => hook.event);
  }

  /** Resolves once `predicate` holds on what arrived, polling. */
  async until(predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline) {
        throw new Error(
          `webhooks not received in time; got ${JSON.stringify(this.received.map((hook) => [hook.event.type, hook.answer]))}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async stop(): Promise<void> {
    for (const response of this.hanging) response.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const signature = String(request.headers['webhook-signature'] ?? '');
      if (!this.verify(body, signature)) {
        response.writeHead(401).end('bad signature');
        return;
      }
      const hook = {
        id: String(request.headers['webhook-id'] ?? ''),
        signature,
        body,
        event: JSON.parse(body) as ReceivedHook['event'],
        at: Date.now(),
      };
      const answer = this.answer(hook);
      this.received.push({ ...hook, answer });
      if (answer === 'hang') {
        this.hanging.add(response);
        return;
      }
      if (answer === 'endless') {
        this.hanging.add(response);
        response.writeHead(200, { 'Content-Type': 'text/plain' });
        const chunk = 'x'.repeat(64 * 1024);
        const timer = setInterval(() => {
          if (response.destroyed) clearInterval(timer);
          else response.write(chunk);
        }, 10);
        return;
      }
      response.writeHead(answer, answer >= 300 && answer < 400 ? { Location: '/elsewhere' } : {});
      response.end();
    });
  }
}
