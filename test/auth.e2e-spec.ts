import { createHmac } from 'node:crypto';
import { MongoClient } from 'mongodb';
import {
  ApiClient,
  type Envelope,
  createUser,
  uniqueUsername,
  useApiTestApp,
} from './support/api-client.js';
import { startTestApp, untilReady } from './support/test-app.js';
import { AGAINST_REAL_MONGODB } from './support/test-database.js';

interface Profile {
  id: string;
  name: string;
  username: string;
  createdAt: string;
}

const SECRET = 'test-secret-that-is-long-enough-for-hs256-signing';

function base64url(value: string | Buffer): string {
  return Buffer.from(value).toString('base64url');
}

/** A JWT with any header, signed with HMAC `algorithm` (or unsigned). */
function craftToken(
  header: object,
  payload: object,
  algorithm?: 'sha256' | 'sha512',
  secret = SECRET,
): string {
  const unsigned = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
  const signature = algorithm
    ? createHmac(algorithm, secret).update(unsigned).digest('base64url')
    : '';
  return `${unsigned}.${signature}`;
}

function payloadOf(token: string): { sub: string; jti: string; exp: number } {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as {
    sub: string;
    jti: string;
    exp: number;
  };
}

describe('Auth and Users (whole app, real HTTP, embedded database)', () => {
  const suite = useApiTestApp();

  describe('register', () => {
    it('creates an account and answers 201 with the public profile only', async () => {
      const username = uniqueUsername('Ada');
      suite.api.passwords.add('correct horse battery');
      const response = await suite.api.post<{ message: string; user: Profile }>(
        '/api/v1/auth/register',
        {
          name: '  Ada Lovelace  ',
          username,
          password: 'correct horse battery',
        },
      );
      expect(response.status).toBe(201);
      expect(response.body.message).toBe('User registered successfully');
      expect(Object.keys(response.body.user).sort()).toEqual([
        'createdAt',
        'id',
        'name',
        'username',
      ]);
      expect(response.body.user).toMatchObject({ name: 'Ada Lovelace', username });
      expect(new Date(response.body.user.createdAt).getTime()).toBeGreaterThan(Date.now() - 60_000);
    });

    it('answers 409 for a taken username, in any letter case', async () => {
      const username = uniqueUsername('Grace');
      const body = { name: 'Grace', username, password: 'password-123' };
      expect((await suite.api.post('/api/v1/auth/register', body)).status).toBe(201);
      const again = await suite.api.post<Envelope>('/api/v1/auth/register', body);
      expect(again.status).toBe(409);
      expect(again.body).toEqual({ error: 'Username is already taken', status: 409 });
      const otherCase = await suite.api.post<Envelope>('/api/v1/auth/register', {
        ...body,
        username: username.toUpperCase(),
      });
      expect(otherCase.status).toBe(409);
    });

    it('lets exactly one of 20 concurrent registrations of one username win', async () => {
      const username = uniqueUsername('race');
      const responses = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          suite.api.post('/api/v1/auth/register', {
            name: `Racer ${i}`,
            username: i % 2 ? username : username.toUpperCase(),
            password: 'password-123',
          }),
        ),
      );
      const statuses = responses.map((response) => response.status).sort();
      expect(statuses.filter((status) => status === 201)).toHaveLength(1);
      expect(statuses.filter((status) => status === 409)).toHaveLength(19);
    });

    const valid = { name: 'Valid Name', username: 'valid_user', password: 'password-123' };
    it.each([
      ['missing name', { username: 'someone', password: 'password-123' }, 'name'],
      ['missing password', { name: 'N', username: 'someone' }, 'password'],
      ['numeric username', { ...valid, username: 12345 }, 'username'],
      ['operator object as username', { ...valid, username: { $gt: '' } }, 'username'],
      ['operator object as password', { ...valid, password: { $ne: null } }, 'password'],
      ['too short username', { ...valid, username: 'ab' }, 'username'],
      ['username with spaces', { ...valid, username: 'bad name' }, 'username'],
      ['unicode username', { ...valid, username: 'ünïcødé' }, 'username'],
      ['10 KB username', { ...valid, username: 'u'.repeat(10_240) }, 'username'],
      ['empty name', { ...valid, name: '' }, 'name'],
      ['blank name', { ...valid, name: '    ' }, 'name'],
      ['10 KB name', { ...valid, name: 'n'.repeat(10_240) }, 'name'],
      // 60 code points but 120 UTF-16 units: the database would refuse it after validation.
      ['name of 60 emoji', { ...valid, name: '🎥'.repeat(60) }, 'name'],
      ['short password', { ...valid, password: 'short' }, 'password'],
      ['password over 72 bytes', { ...valid, password: 'é'.repeat(37) }, 'password'],
      ['unknown field', { ...valid, isAdmin: true }, 'isAdmin'],
    ])('rejects %s with 400 and details naming the field', async (_label, body, field) => {
      const response = await suite.api.post<Envelope>('/api/v1/auth/register', body);
      expect(response.status).toBe(400);
      expect(response.body.error).toBe('Validation failed');
      expect(response.body.details?.map((detail) => detail.field)).toContain(field);
    });

    it('explains the 72-byte password limit', async () => {
      const response = await suite.api.post<Envelope>('/api/v1/auth/register', {
        ...valid,
        password: 'x'.repeat(73),
      });
      expect(response.body.details?.find((detail) => detail.field === 'password')?.message).toMatch(
        /72 bytes/,
      );
    });

    it('accepts unicode names and passwords of up to 72 bytes', async () => {
      const user = await createUser(suite.api, { name: 'Zoë Ωmega 🎥', password: 'é'.repeat(36) });
      const me = await suite.api.get<Profile>('/api/v1/users/me', { token: user.token });
      expect(me.body.name).toBe('Zoë Ωmega 🎥');
    });

    it('answers a 1 MB body with 413 and malformed JSON with 400', async () => {
      const huge = await suite.api.post<Envelope>('/api/v1/auth/register', {
        ...valid,
        name: 'x'.repeat(1024 * 1024),
      });
      expect(huge.status).toBe(413);
      const malformed = await suite.api.post<Envelope>('/api/v1/auth/register', '{"name": ');
      expect(malformed.status).toBe(400);
    });
  });

  describe('login', () => {
    it('answers 200 with a JWT (HS256, sub, jti, exp), its expiry and the profile', async () => {
      const user = await createUser(suite.api);
      const response = await suite.api.post<{
        message: string;
        token: string;
        expiresAt: string;
        user: Profile;
      }>('/api/v1/auth/login', { username: user.username.toUpperCase(), password: user.password });
      expect(response.status).toBe(200);
      expect(response.body.message).toBe('Login successful');
      expect(response.body.user).toMatchObject({ id: user.id, username: user.username });
      const header = JSON.parse(
        Buffer.from(response.body.token.split('.')[0], 'base64url').toString(),
      ) as { alg: string };
      expect(header.alg).toBe('HS256');
      const payload = payloadOf(response.body.token);
      expect(payload.sub).toBe(user.id);
      expect(payload.jti).toMatch(/^[0-9a-f-]{36}$/);
      expect(payload.exp * 1000).toBe(new Date(response.body.expiresAt).getTime());
      const sevenDays = 7 * 86400 * 1000;
      expect(new Date(response.body.expiresAt).getTime() - Date.now()).toBeGreaterThan(
        sevenDays - 60_000,
      );
    });

    it('answers the same 401 for an unknown user and a wrong password', async () => {
      const user = await createUser(suite.api);
      const wrong = await suite.api.post<Envelope>('/api/v1/auth/login', {
        username: user.username,
        password: 'not-the-password',
      });
      const unknown = await suite.api.post<Envelope>('/api/v1/auth/login', {
        username: uniqueUsername('ghost'),
        password: 'whatever-123',
      });
      expect(wrong.status).toBe(401);
      expect(wrong.body).toEqual({ error: 'Invalid username or password', status: 401 });
      expect(unknown.body).toEqual(wrong.body);
    });

    it.each([
      ['missing password', { username: 'someone' }],
      ['operator injection', { username: { $gt: '' }, password: { $gt: '' } }],
      ['array username', { username: ['a'], password: 'x' }],
      ['10 KB password', { username: 'someone', password: 'p'.repeat(10_240) }],
      ['empty strings', { username: '', password: '' }],
      ['unknown field', { username: 'someone', password: 'password-123', remember: true }],
    ])('rejects %s with 400', async (_label, body) => {
      const response = await suite.api.post<Envelope>('/api/v1/auth/login', body);
      expect(response.status).toBe(400);
      expect(response.body.status).toBe(400);
    });
  });

  describe('tokens', () => {
    it('serves /users/me with a Bearer token and refuses it without one', async () => {
      const user = await createUser(suite.api);
      const me = await suite.api.get<Profile>('/api/v1/users/me', { token: user.token });
      expect(me.status).toBe(200);
      expect(me.body).toMatchObject({ id: user.id, name: user.name, username: user.username });
      const anonymous = await suite.api.get<Envelope>('/api/v1/users/me');
      expect(anonymous.status).toBe(401);
      expect(anonymous.body).toEqual({ error: 'Authentication required', status: 401 });
    });

    it('does not take the token from the body or query outside the compatibility routes', async () => {
      const user = await createUser(suite.api);
      expect((await suite.api.get(`/api/v1/users/me?token=${user.token}`)).status).toBe(401);
      expect(
        (
          await suite.api.post('/api/v1/meetings/history', {
            meetingCode: 'abc',
            token: user.token,
          })
        ).status,
      ).toBe(401);
    });

    it('revokes the presented token on logout (204), leaving other sessions valid', async () => {
      const user = await createUser(suite.api);
      const second = await suite.api.post<{ token: string }>('/api/v1/auth/login', {
        username: user.username,
        password: user.password,
      });
      const logout = await suite.api.post('/api/v1/auth/logout', undefined, { token: user.token });
      expect(logout.status).toBe(204);
      const after = await suite.api.get<Envelope>('/api/v1/users/me', { token: user.token });
      expect(after.status).toBe(401);
      expect(after.body.error).toBe('Session expired or signed out');
      expect((await suite.api.get('/api/v1/users/me', { token: second.body.token })).status).toBe(
        200,
      );
      expect(
        (await suite.api.post('/api/v1/auth/logout', undefined, { token: user.token })).status,
      ).toBe(401);
    });

    it('rejects a tampered signature, alg none and any algorithm but HS256', async () => {
      const user = await createUser(suite.api);
      const payload = payloadOf(user.token);
      const [head, body, signature] = user.token.split('.');
      const flipped = `${head}.${body}.${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`;
      const forgedBody = base64url(JSON.stringify({ ...payload, sub: '000000000000000000000000' }));
      const candidates = [
        flipped,
        `${head}.${forgedBody}.${signature}`,
        craftToken({ alg: 'none', typ: 'JWT' }, payload),
        craftToken({ alg: 'HS512', typ: 'JWT' }, payload, 'sha512'),
        craftToken(
          { alg: 'HS256', typ: 'JWT' },
          payload,
          'sha256',
          'another-secret-entirely-0123456789',
        ),
        'not.a.jwt',
      ];
      for (const token of candidates) {
        const response = await suite.api.get<Envelope>('/api/v1/users/me', { token });
        expect(response.status).toBe(401);
        expect(response.body.error).toBe('Invalid token');
      }
      // The genuine token still works: only the forgeries were refused.
      expect((await suite.api.get('/api/v1/users/me', { token: user.token })).status).toBe(200);
    });

    it('rejects a well-signed token whose session record is gone', async () => {
      const user = await createUser(suite.api);
      const forged = craftToken(
        { alg: 'HS256', typ: 'JWT' },
        { ...payloadOf(user.token), jti: 'never-issued' },
        'sha256',
      );
      const response = await suite.api.get<Envelope>('/api/v1/users/me', { token: forged });
      expect(response.status).toBe(401);
      expect(response.body.error).toBe('Session expired or signed out');

      const client = await MongoClient.connect(suite.testApp.config.database.uri ?? '');
      try {
        await client
          .db()
          .collection('sessions')
          .deleteOne({ jti: payloadOf(user.token).jti });
      } finally {
        await client.close();
      }
      expect((await suite.api.get('/api/v1/users/me', { token: user.token })).status).toBe(401);
    });
  });

  it('answers a login for an unknown user and for a wrong password in about the same time', async () => {
    const timed = await startTestApp({
      env: { BCRYPT_ROUNDS: '9', RATE_LIMIT_LOGIN_FAILURES: '1000' },
    });
    const timedApi = new ApiClient(timed);
    try {
      const user = await createUser(timedApi);
      const median = async (body: object): Promise<number> => {
        const samples: number[] = [];
        for (let i = 0; i < 7; i++) {
          const started = performance.now();
          const response = await timedApi.post('/api/v1/auth/login', body);
          samples.push(performance.now() - started);
          expect(response.status).toBe(401);
        }
        return samples.sort((a, b) => a - b)[3];
      };
      const wrongPassword = await median({ username: user.username, password: 'wrong-password' });
      const unknownUser = await median({
        username: uniqueUsername('nobody'),
        password: 'wrong-password',
      });
      // Without the dummy hash comparison an unknown user would answer ~20x faster.
      expect(unknownUser / wrongPassword).toBeGreaterThan(0.5);
      expect(unknownUser / wrongPassword).toBeLessThan(2);
    } finally {
      await timed.close();
    }
  });
});

describe('Token expiry (JWT_EXPIRES_IN=3s)', () => {
  // JWT times have whole-second resolution: a "1s" token issued at x.999 s is valid for ~1 ms,
  // so the lifetime leaves room for a slow machine between sign-up and the first request.
  it('rejects a token once it has expired', async () => {
    const testApp = await startTestApp({ env: { BCRYPT_ROUNDS: '4', JWT_EXPIRES_IN: '3s' } });
    const api = new ApiClient(testApp);
    try {
      const user = await createUser(api);
      expect((await api.get('/api/v1/users/me', { token: user.token })).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 4_100));
      const expired = await api.get<Envelope>('/api/v1/users/me', { token: user.token });
      expect(expired.status).toBe(401);
      expect(expired.body.error).toBe('Token expired');
    } finally {
      await testApp.close();
    }
  });
});

describe('Token lifetime at its upper bound (JWT_EXPIRES_IN=365d)', () => {
  // Past the bound (999999999d was accepted once) every login answered 500: the expiry was
  // past any Date. The longest accepted lifetime must sign in and be checked like any other.
  it('signs in with a token valid for a year', async () => {
    const testApp = await startTestApp({ env: { BCRYPT_ROUNDS: '4', JWT_EXPIRES_IN: '365d' } });
    const api = new ApiClient(testApp);
    try {
      const username = uniqueUsername();
      await api.post('/api/v1/auth/register', { name: 'n', username, password: 'password-123' });
      const login = await api.post<{ token: string; expiresAt: string }>('/api/v1/auth/login', {
        username,
        password: 'password-123',
      });
      expect(login.status).toBe(200);
      const lifetimeMs = new Date(login.body.expiresAt).getTime() - Date.now();
      expect(Math.abs(lifetimeMs - 365 * 86_400_000)).toBeLessThan(60_000);
      expect((await api.get('/api/v1/users/me', { token: login.body.token })).status).toBe(200);
    } finally {
      await testApp.close();
    }
  });
});

describe('Rate limits', () => {
  it('locks out a username from an address after repeated failed logins (429 with Retry-After)', async () => {
    const testApp = await startTestApp({
      env: { BCRYPT_ROUNDS: '4', RATE_LIMIT_LOGIN_FAILURES: '3' },
    });
    const api = new ApiClient(testApp);
    try {
      const user = await createUser(api);
      const other = await createUser(api);
      for (let i = 0; i < 3; i++) {
        expect(
          (
            await api.post('/api/v1/auth/login', {
              username: user.username,
              password: 'wrong-guess',
            })
          ).status,
        ).toBe(401);
      }
      const locked = await api.post<Envelope>('/api/v1/auth/login', {
        username: user.username,
        password: user.password,
      });
      expect(locked.status).toBe(429);
      expect(locked.body).toEqual({
        error: 'Too many failed sign-ins, try again later',
        status: 429,
      });
      expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(Number(locked.headers.get('retry-after'))).toBeLessThanOrEqual(15 * 60);
      // Other accounts from the same address are not affected.
      expect(
        (
          await api.post('/api/v1/auth/login', {
            username: other.username,
            password: other.password,
          })
        ).status,
      ).toBe(200);
    } finally {
      await testApp.close();
    }
  });

  it('counts a login before comparing the password: guesses sent at once never exceed the limit', async () => {
    const testApp = await startTestApp({
      env: {
        BCRYPT_ROUNDS: '4',
        RATE_LIMIT_LOGIN_FAILURES: '10',
        RATE_LIMIT_AUTH_PER_MINUTE: '1000',
      },
    });
    const api = new ApiClient(testApp);
    try {
      await untilReady(testApp);
      const user = await createUser(api);
      const answers = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          api.post<Envelope>('/api/v1/auth/login', {
            username: user.username,
            password: `wrong-guess-${i}`,
          }),
        ),
      );
      const statuses = answers.map((answer) => answer.status);
      // Each attempt is counted before its password is compared: exactly the limit get a 401.
      expect(statuses.filter((status) => status === 401)).toHaveLength(10);
      expect(statuses.filter((status) => status === 429)).toHaveLength(20);
      for (const refused of answers.filter((answer) => answer.status === 429)) {
        expect(refused.body).toEqual({
          error: 'Too many failed sign-ins, try again later',
          status: 429,
        });
        expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      }
      // Even the right password waits now.
      const locked = await api.post('/api/v1/auth/login', {
        username: user.username,
        password: user.password,
      });
      expect(locked.status).toBe(429);
    } finally {
      await testApp.close();
    }
  });

  it('gives the budget back on a successful login, as before', async () => {
    const testApp = await startTestApp({
      env: { BCRYPT_ROUNDS: '4', RATE_LIMIT_LOGIN_FAILURES: '3' },
    });
    const api = new ApiClient(testApp);
    try {
      await untilReady(testApp);
      const user = await createUser(api);
      const attempt = async (password: string): Promise<number> =>
        (await api.post('/api/v1/auth/login', { username: user.username, password })).status;
      expect([await attempt('wrong-1'), await attempt('wrong-2')]).toEqual([401, 401]);
      expect(await attempt(user.password)).toBe(200);
      // The failures before the success are forgotten: three more before the lock-out.
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push(await attempt(`wrong-again-${i}`));
      expect(statuses).toEqual([401, 401, 401, 429]);
    } finally {
      await testApp.close();
    }
  });

  it('keys client addresses by IPv4 address and IPv6 /64 (behind a trusted proxy)', async () => {
    const testApp = await startTestApp({
      env: { BCRYPT_ROUNDS: '4', TRUST_PROXY: 'loopback', RATE_LIMIT_AUTH_PER_MINUTE: '2' },
    });
    const api = new ApiClient(testApp);
    const loginFrom = async (address: string): Promise<number> =>
      (
        await api.post(
          '/api/v1/auth/login',
          { username: 'nobody-here', password: 'password-123' },
          { headers: { 'X-Forwarded-For': address } },
        )
      ).status;
    try {
      await untilReady(testApp);
      // Two addresses of one /64 share one budget...
      expect(await loginFrom('2001:db8:0:1::1')).toBe(401);
      expect(await loginFrom('2001:db8:0:1:ffff::2')).toBe(401);
      expect(await loginFrom('2001:db8:0:1::3')).toBe(429);
      // ...the next /64 has its own, and so has each IPv4 address (mapped or not).
      expect(await loginFrom('2001:db8:0:2::1')).toBe(401);
      expect(await loginFrom('203.0.113.7')).toBe(401);
      expect(await loginFrom('::ffff:203.0.113.7')).toBe(401);
      expect(await loginFrom('203.0.113.7')).toBe(429);
      expect(await loginFrom('203.0.113.8')).toBe(401);
    } finally {
      await testApp.close();
    }
  });
});

(AGAINST_REAL_MONGODB ? describe.skip : describe)('Auth while the database is down', () => {
  it('answers 503 envelopes promptly, not hangs or 500s', async () => {
    const testApp = await startTestApp({ env: { BCRYPT_ROUNDS: '4' } });
    const api = new ApiClient(testApp);
    try {
      const user = await createUser(api);
      await testApp.database?.embedded?.stop();
      const started = Date.now();
      const login = await api.post<Envelope>('/api/v1/auth/login', {
        username: user.username,
        password: user.password,
      });
      const register = await api.post<Envelope>('/api/v1/auth/register', {
        name: 'n',
        username: uniqueUsername(),
        password: 'password-123',
      });
      const me = await api.get<Envelope>('/api/v1/users/me', { token: user.token });
      for (const response of [login, register, me]) {
        expect(response.status).toBe(503);
        expect(response.body).toEqual({ error: 'database unavailable', status: 503 });
      }
      expect(Date.now() - started).toBeLessThan(20_000);
    } finally {
      await testApp.close();
    }
  }, 40_000);
});
