import type { Envelope } from './support/api-client.js';
import { CapturingLogger } from './support/capturing-logger.js';
import { ProbeController } from './support/probe.controller.js';
import { parseRawResponse, rawRequest } from './support/raw-http.js';
import { closedPort, postJson, startTestApp, type TestApp } from './support/test-app.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('HTTP foundation (whole app, real HTTP, database unreachable)', () => {
  let testApp: TestApp;
  const logger = new CapturingLogger();

  beforeAll(async () => {
    testApp = await startTestApp({
      env: { DB_URI: `mongodb://127.0.0.1:${await closedPort()}/unreachable`, LOG_LEVEL: 'log' },
      controllers: [ProbeController],
      logger,
    });
  });
  afterAll(() => testApp.close());

  async function expectEnvelope(response: Response, status: number): Promise<Envelope> {
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await response.json()) as Envelope;
    expect(body.status).toBe(status);
    expect(typeof body.error).toBe('string');
    expect(body.error.length).toBeGreaterThan(0);
    return body;
  }

  describe('error envelope', () => {
    it('answers an unknown route under /api/v1 with a 404 envelope', async () => {
      const body = await expectEnvelope(await testApp.http('/api/v1/no-such-route'), 404);
      expect(Object.keys(body).sort()).toEqual(['error', 'status']);
    });

    it('answers an unknown route outside /api/v1 with a 404 envelope', async () => {
      await expectEnvelope(await testApp.http('/definitely/not/here'), 404);
      await expectEnvelope(await testApp.http('/health/live', { method: 'DELETE' }), 404);
    });

    it('answers malformed JSON with a 400 envelope', async () => {
      const body = await expectEnvelope(
        await postJson(testApp, '/api/v1/probe/echo', '{"name": "x", '),
        400,
      );
      expect(body.error).toBe('Malformed JSON in request body');
    });

    it('lists each field and problem in a 400 validation envelope', async () => {
      const body = await expectEnvelope(
        await postJson(testApp, '/api/v1/probe/echo', { name: '', count: 'three' }),
        400,
      );
      expect(body.error).toBe('Validation failed');
      const fields = (body.details ?? []).map((detail) => detail.field);
      expect(fields).toEqual(expect.arrayContaining(['name', 'count']));
      for (const detail of body.details ?? []) expect(detail.message.length).toBeGreaterThan(0);
    });

    it('rejects unknown fields instead of silently dropping them', async () => {
      const body = await expectEnvelope(
        await postJson(testApp, '/api/v1/probe/echo', { name: 'ok', count: 1, admin: true }),
        400,
      );
      expect(body.details).toEqual([
        expect.objectContaining({
          field: 'admin',
          message: expect.stringContaining('should not exist'),
        }),
      ]);
    });

    it('accepts a valid body through the global validation pipe', async () => {
      const response = await postJson(testApp, '/api/v1/probe/echo', { name: 'ok', count: 3 });
      expect(response.status).toBe(201);
      expect(await response.json()).toEqual({ name: 'ok', count: 3 });
    });

    it.each([
      ['arrays', `{"name": ${'['.repeat(2000)}${']'.repeat(2000)}, "count": 1}`],
      ['objects', `{"name": ${'{"a":'.repeat(2000)}1${'}'.repeat(2000)}, "count": 1}`],
      ['a whole body', '['.repeat(5000) + ']'.repeat(5000)],
    ])(
      'answers JSON of %s nested 2000+ levels deep with a 400 envelope, before validation',
      async (_label, body) => {
        const response = await postJson(testApp, '/api/v1/probe/echo', body);
        expect(await expectEnvelope(response, 400)).toEqual({
          error: 'Request body is nested too deeply',
          status: 400,
        });
      },
    );

    it('lets 32 levels of nesting through to validation and refuses 33', async () => {
      const nested = (levels: number): string => '['.repeat(levels) + ']'.repeat(levels);
      // `name` is the 2nd level: the body object is the first.
      const allowed = await expectEnvelope(
        await postJson(testApp, '/api/v1/probe/echo', `{"name": ${nested(31)}, "count": 1}`),
        400,
      );
      expect(allowed.error).toBe('Validation failed');
      const refused = await expectEnvelope(
        await postJson(testApp, '/api/v1/probe/echo', `{"name": ${nested(32)}, "count": 1}`),
        400,
      );
      expect(refused.error).toBe('Request body is nested too deeply');
    });

    it('refuses deeply nested bodies on routes that take no body, and on unknown paths', async () => {
      const deep = '['.repeat(100) + ']'.repeat(100);
      for (const path of ['/api/v1/probe/crash', '/api/v1/no-such-route', '/health/live']) {
        const response = await testApp.http(path, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: deep,
        });
        expect((await expectEnvelope(response, 400)).error).toBe(
          'Request body is nested too deeply',
        );
      }
    });

    it('answers a body over BODY_LIMIT (40kb by default) with a 413 envelope', async () => {
      const body = await expectEnvelope(
        await postJson(testApp, '/api/v1/probe/echo', { name: 'x'.repeat(41 * 1024), count: 1 }),
        413,
      );
      expect(body.error).toBe('Request body is too large');
    });

    it('answers an unexpected error with a generic 500 envelope and logs the stack', async () => {
      const response = await testApp.http('/api/v1/probe/crash', {
        headers: { 'X-Request-Id': 'crash-check-1' },
      });
      const text = await response.clone().text();
      const body = await expectEnvelope(response, 500);
      expect(body).toEqual({ error: 'Internal server error', status: 500 });
      expect(text).not.toContain('secret internal detail');
      expect(text).not.toContain('.ts');
      const logged = logger.text();
      expect(logged).toContain('secret internal detail');
      expect(logged).toContain('crash-check-1');
      expect(logged).toMatch(/at .*probe\.controller/);
    });

    it.each(['validation', 'cast', 'too-large'])(
      'answers a Mongoose or driver %s error (client data past the DTOs) with a 400 envelope',
      async (kind) => {
        const response = await testApp.http(`/api/v1/probe/invalid-data/${kind}`, {
          headers: { 'X-Request-Id': `invalid-data-${kind}` },
        });
        const text = await response.clone().text();
        expect(await expectEnvelope(response, 400)).toEqual({
          error: 'Invalid request data',
          status: 400,
        });
        expect(text).not.toMatch(/leaked-client-value|ProbeData|Cast to|validation failed/i);
        const logged = logger.lines.filter((line) =>
          line.message.includes(`invalid data reached the database layer`),
        );
        expect(logged.map((line) => line.message).join('\n')).toContain(`id=invalid-data-${kind}`);
        expect(logger.text()).not.toContain('leaked-client-value');
      },
    );

    it('answers headers over the size limit with a 431 envelope', async () => {
      const raw = await rawRequest(
        testApp.port,
        `GET /health/live HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(32 * 1024)}\r\n\r\n`,
      );
      const { status, body } = parseRawResponse(raw);
      expect(status).toBe(431);
      expect(body).toEqual({ error: 'Request Header Fields Too Large', status: 431 });
    });

    it('answers a malformed request line with a 400 envelope', async () => {
      const { status, body } = parseRawResponse(
        await rawRequest(testApp.port, 'THIS IS NOT HTTP\r\n\r\n'),
      );
      expect(status).toBe(400);
      expect(body).toEqual({ error: 'Bad Request', status: 400 });
    });

    it('keeps serving after garbage and abrupt disconnects', async () => {
      await rawRequest(testApp.port, Buffer.from([0, 1, 2, 3, 255, 254, 13, 10, 13, 10]));
      await rawRequest(
        testApp.port,
        'POST /api/v1/probe/echo HTTP/1.1\r\nContent-Length: 100\r\n\r\n{"na',
        200,
      );
      expect((await testApp.http('/health/live')).status).toBe(200);
    });
  });

  describe('database unavailable', () => {
    it('keeps /health/live at 200 while /health/ready is 503', async () => {
      const live = await testApp.http('/health/live');
      expect(live.status).toBe(200);
      expect(await live.json()).toEqual({ status: 'ok' });
      const ready = await expectEnvelope(await testApp.http('/health/ready'), 503);
      expect(ready.error).toBe('database unavailable');
      // It names what is down (no Redis in a single process).
      expect((ready as unknown as { checks: object }).checks).toEqual({ database: 'down' });
    });

    it('fails a request that needs the database fast with a 503 envelope', async () => {
      const started = Date.now();
      const body = await expectEnvelope(await testApp.http('/api/v1/probe/database'), 503);
      expect(body).toEqual({ error: 'database unavailable', status: 503 });
      expect(Date.now() - started).toBeLessThan(2_000);
    });

    it('serves health outside the /api/v1 prefix only', async () => {
      await expectEnvelope(await testApp.http('/api/v1/health/live'), 404);
    });
  });

  describe('request id and request log', () => {
    it('generates an X-Request-Id when the caller sends none', async () => {
      const response = await testApp.http('/health/live');
      expect(response.headers.get('x-request-id')).toMatch(UUID);
    });

    it('echoes a caller X-Request-Id and replaces an unsafe one', async () => {
      const echoed = await testApp.http('/health/live', { headers: { 'X-Request-Id': 'abc-123' } });
      expect(echoed.headers.get('x-request-id')).toBe('abc-123');
      const unsafe = await testApp.http('/health/live', {
        headers: { 'X-Request-Id': 'a b\tforged log line' },
      });
      expect(unsafe.headers.get('x-request-id')).toMatch(UUID);
    });

    it('logs one line per request with method, path, status, duration and id, never the query or body', async () => {
      await postJson(
        testApp,
        '/api/v1/probe/echo?token=query-secret-token',
        { name: 'pw-secret', count: 1 },
        { 'X-Request-Id': 'log-check-7', Authorization: 'Bearer header-secret-token' },
      );
      const lines = logger.lines.filter((line) => line.message.includes('id=log-check-7'));
      expect(lines).toHaveLength(1);
      expect(lines[0].message).toMatch(
        /^POST \/api\/v1\/probe\/echo 201 \d+\.\dms id=log-check-7$/,
      );
      const everything = logger.text();
      for (const secret of ['query-secret-token', 'pw-secret', 'header-secret-token']) {
        expect(everything).not.toContain(secret);
      }
    });
  });

  describe('security headers and CORS', () => {
    it('sets helmet security headers', async () => {
      const response = await testApp.http('/health/live');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('x-powered-by')).toBeNull();
    });

    it('answers a CORS preflight from any origin in development', async () => {
      const response = await testApp.http('/api/v1/probe/echo', {
        method: 'OPTIONS',
        headers: {
          Origin: 'http://localhost:5173',
          'Access-Control-Request-Method': 'POST',
          'Access-Control-Request-Headers': 'content-type,authorization',
        },
      });
      expect(response.status).toBe(204);
      expect(response.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
      expect(response.headers.get('access-control-allow-methods')).toContain('POST');
      expect(response.headers.get('access-control-allow-headers')?.toLowerCase()).toContain(
        'authorization',
      );
    });
  });
});

describe('HTTP foundation with explicit configuration', () => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await startTestApp({
      env: {
        DB_URI: `mongodb://127.0.0.1:${await closedPort()}/unreachable`,
        CORS_ORIGINS: 'https://meet.example.com, https://app.example.com',
        BODY_LIMIT: '1kb',
      },
      controllers: [ProbeController],
    });
  });
  afterAll(() => testApp.close());

  it('allows only the configured CORS origins', async () => {
    const preflight = (origin: string): Promise<Response> =>
      testApp.http('/api/v1/probe/echo', {
        method: 'OPTIONS',
        headers: { Origin: origin, 'Access-Control-Request-Method': 'POST' },
      });
    const allowed = await preflight('https://app.example.com');
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    const refused = await preflight('https://evil.example.net');
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('applies BODY_LIMIT', async () => {
    const small = await postJson(testApp, '/api/v1/probe/echo', { name: 'ok', count: 1 });
    expect(small.status).toBe(201);
    const large = await postJson(testApp, '/api/v1/probe/echo', {
      name: 'x'.repeat(2000),
      count: 1,
    });
    expect(large.status).toBe(413);
  });
});
