import {
  ApiClient,
  type Envelope,
  createUser,
  uniqueUsername,
  useApiTestApp,
} from './support/api-client.js';
import { documentedRoutes, openApiDocument } from './support/openapi.js';
import { startTestApp } from './support/test-app.js';

interface CompatItem {
  _id: string;
  meetingCode: string;
  date: string;
}

/**
 * The original SPA client's calls, exactly as ../shared/spec/client-protocol.md describes
 * them: no Authorization header, the token in the JSON body or the query string.
 */
describe('Compatibility routes for the existing client (/api/v1/users/*)', () => {
  const suite = useApiTestApp();

  it('runs the client flow: sign up, sign in, add to history by token in body, list by token in query', async () => {
    const username = uniqueUsername('client');
    suite.api.passwords.add('client-password');
    const signUp = await suite.api.post<{
      message: string;
      user: { name: string; username: string };
    }>('/api/v1/users/register', {
      name: 'Client User',
      username,
      password: 'client-password',
    });
    expect(signUp.status).toBe(201);
    expect(signUp.body.message).toBe('User registered successfully');
    expect(signUp.body.user).toMatchObject({ name: 'Client User', username });

    const signIn = await suite.api.post<{ message: string; token: string }>('/api/v1/users/login', {
      username,
      password: 'client-password',
    });
    expect(signIn.status).toBe(200);
    expect(signIn.body.message).toBe('Login successful');
    const token = signIn.body.token;
    expect(typeof token).toBe('string');

    for (const meetingId of ['abc-defg-hij', 'xyz-uvwx-rst']) {
      const added = await suite.api.post<{ message: string; meeting: CompatItem }>(
        '/api/v1/users/add_to_activity',
        { token, meetingId },
      );
      expect(added.status).toBe(201);
      expect(added.body.message).toBe('Meeting added to history');
      expect(added.body.meeting.meetingCode).toBe(meetingId);
    }

    const history = await suite.api.get<{ meetings: CompatItem[] }>(
      `/api/v1/users/get_all_activity?token=${encodeURIComponent(token)}`,
    );
    expect(history.status).toBe(200);
    expect(history.body.meetings.map((meeting) => meeting.meetingCode)).toEqual([
      'xyz-uvwx-rst',
      'abc-defg-hij',
    ]);
    for (const meeting of history.body.meetings) {
      expect(Object.keys(meeting).sort()).toEqual(['_id', 'date', 'meetingCode']);
      expect(Number.isNaN(new Date(meeting.date).getTime())).toBe(false);
    }
  });

  it('shows the sign-up error message the client displays (response.data.error)', async () => {
    const user = await createUser(suite.api);
    const taken = await suite.api.post<Envelope>('/api/v1/users/register', {
      name: 'x',
      username: user.username,
      password: 'password-123',
    });
    expect(taken.status).toBe(409);
    expect(taken.body.error).toBe('Username is already taken');
    const wrong = await suite.api.post<Envelope>('/api/v1/users/login', {
      username: user.username,
      password: 'nope-nope',
    });
    expect(wrong.body).toEqual({ error: 'Invalid username or password', status: 401 });
  });

  it("accepts the README's forms with a Bearer token: {meetingCode} and {user_id, meetingCode}", async () => {
    const user = await createUser(suite.api);
    const plain = await suite.api.post(
      '/api/v1/users/add_to_activity',
      { meetingCode: 'readme-one' },
      { token: user.token },
    );
    expect(plain.status).toBe(201);
    const withId = await suite.api.post(
      '/api/v1/users/add_to_activity',
      { user_id: user.id, meetingCode: 'readme-two' },
      { token: user.token },
    );
    expect(withId.status).toBe(201);
    const history = await suite.api.get<{ meetings: CompatItem[] }>(
      '/api/v1/users/get_all_activity',
      {
        token: user.token,
      },
    );
    expect(history.body.meetings.map((meeting) => meeting.meetingCode)).toEqual([
      'readme-two',
      'readme-one',
    ]);
  });

  it('refuses a user_id naming someone else (403): the user always comes from the token', async () => {
    const user = await createUser(suite.api);
    const victim = await createUser(suite.api);
    const response = await suite.api.post<Envelope>(
      '/api/v1/users/add_to_activity',
      { user_id: victim.id, meetingCode: 'spoof' },
      { token: user.token },
    );
    expect(response.status).toBe(403);
    const victimHistory = await suite.api.get<{ meetings: CompatItem[] }>(
      '/api/v1/users/get_all_activity',
      { token: victim.token },
    );
    expect(victimHistory.body.meetings).toEqual([]);
  });

  it('takes the Authorization header over a token in the body or query', async () => {
    const owner = await createUser(suite.api);
    const other = await createUser(suite.api);
    const added = await suite.api.post<{ meeting: CompatItem }>(
      '/api/v1/users/add_to_activity',
      { token: other.token, meetingId: 'header-wins' },
      { token: owner.token },
    );
    expect(added.status).toBe(201);
    const mine = await suite.api.get<{ meetings: CompatItem[] }>(
      `/api/v1/users/get_all_activity?token=${encodeURIComponent(other.token)}`,
      { token: owner.token },
    );
    expect(mine.body.meetings.map((meeting) => meeting.meetingCode)).toEqual(['header-wins']);
    const theirs = await suite.api.get<{ meetings: CompatItem[] }>(
      `/api/v1/users/get_all_activity?token=${encodeURIComponent(other.token)}`,
    );
    expect(theirs.body.meetings).toEqual([]);
  });

  it('checks the token before answering: missing, invalid and signed-out tokens get 401', async () => {
    const user = await createUser(suite.api);
    expect((await suite.api.get<Envelope>('/api/v1/users/get_all_activity')).body).toEqual({
      error: 'Authentication required',
      status: 401,
    });
    expect((await suite.api.get('/api/v1/users/get_all_activity?token=garbage')).status).toBe(401);
    expect(
      (await suite.api.post('/api/v1/users/add_to_activity', { token: 'garbage', meetingId: 'x' }))
        .status,
    ).toBe(401);
    await suite.api.post('/api/v1/auth/logout', undefined, { token: user.token });
    expect((await suite.api.get(`/api/v1/users/get_all_activity?token=${user.token}`)).status).toBe(
      401,
    );
  });

  it('lets several users record the same meeting code', async () => {
    const first = await createUser(suite.api);
    const second = await createUser(suite.api);
    for (const user of [first, second]) {
      expect(
        (
          await suite.api.post('/api/v1/users/add_to_activity', {
            token: user.token,
            meetingId: 'team-standup',
          })
        ).status,
      ).toBe(201);
    }
  });

  it.each([
    ['no meeting code', (token: string) => ({ token })],
    [
      'both meetingId and meetingCode',
      (token: string) => ({ token, meetingId: 'a', meetingCode: 'b' }),
    ],
    ['an operator object as meetingId', (token: string) => ({ token, meetingId: { $gt: '' } })],
    ['a 10 KB meetingId', (token: string) => ({ token, meetingId: 'm'.repeat(10_240) })],
    [
      'an invalid user_id',
      (token: string) => ({ token, meetingId: 'a', user_id: 'not-an-object-id' }),
    ],
    ['an unknown field', (token: string) => ({ token, meetingId: 'a', extra: 1 })],
  ])('answers 400 for %s', async (_label, body) => {
    const user = await createUser(suite.api);
    const response = await suite.api.post<Envelope>(
      '/api/v1/users/add_to_activity',
      body(user.token),
    );
    expect(response.status).toBe(400);
    expect(response.body.status).toBe(400);
  });

  it.each([
    ['meetingId: null', { meetingId: null }, 'meetingId'],
    ['meetingCode: null', { meetingCode: null }, 'meetingCode'],
    ['meetingCode: null next to a meetingId', { meetingId: 'a', meetingCode: null }, 'meetingCode'],
    ['user_id: null', { user_id: null, meetingCode: 'a' }, 'user_id'],
  ])(
    'answers 400 naming the field for %s (it was 500, or 403 for user_id), in both body forms',
    async (_label, fields, field) => {
      const user = await createUser(suite.api);
      const forms = [
        suite.api.post<Envelope>('/api/v1/users/add_to_activity', { token: user.token, ...fields }),
        suite.api.post<Envelope>('/api/v1/users/add_to_activity', fields, { token: user.token }),
      ];
      for (const response of await Promise.all(forms)) {
        expect(response.status).toBe(400);
        expect(response.body).toMatchObject({ error: 'Validation failed', status: 400 });
        expect(response.body.details).toContainEqual({
          field,
          message: `${field} must not be null`,
        });
      }
      const history = await suite.api.get<{ meetings: CompatItem[] }>(
        '/api/v1/users/get_all_activity',
        { token: user.token },
      );
      expect(history.body.meetings).toEqual([]);
    },
  );

  it('answers a signed-out client ({token: null}) 401, and a null token next to a header 400', async () => {
    const signedOut = await suite.api.post<Envelope>('/api/v1/users/add_to_activity', {
      token: null,
      meetingId: 'abc-defg-hij',
    });
    expect(signedOut.body).toEqual({ error: 'Authentication required', status: 401 });
    const user = await createUser(suite.api);
    const withHeader = await suite.api.post<Envelope>(
      '/api/v1/users/add_to_activity',
      { token: null, meetingId: 'abc-defg-hij' },
      { token: user.token },
    );
    expect(withHeader.status).toBe(400);
    expect(withHeader.body.details).toContainEqual({
      field: 'token',
      message: 'token must not be null',
    });
  });

  it.each(['/api/v1/users/register', '/api/v1/users/login'])(
    'answers a body nested 2000 levels deep on %s with 400 before validation',
    async (path) => {
      const response = await suite.api.post<Envelope>(
        path,
        `{"username": ${'['.repeat(2000)}${']'.repeat(2000)}, "password": "password-123"}`,
      );
      expect(response.body).toEqual({ error: 'Request body is nested too deeply', status: 400 });
    },
  );

  it('is documented in the OpenAPI document next to the modern routes', async () => {
    expect(documentedRoutes(await openApiDocument(suite.testApp))).toEqual(
      expect.arrayContaining([
        'POST /api/v1/users/register',
        'POST /api/v1/users/login',
        'POST /api/v1/users/add_to_activity',
        'GET /api/v1/users/get_all_activity',
      ]),
    );
  });
});

describe('Compatibility routes and the shared sign-in limits', () => {
  it('limits register and login requests per address, on the compatibility routes too', async () => {
    const testApp = await startTestApp({
      env: { BCRYPT_ROUNDS: '4', RATE_LIMIT_AUTH_PER_MINUTE: '4' },
    });
    const api = new ApiClient(testApp);
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) {
        statuses.push(
          (await api.post('/api/v1/auth/login', { username: 'someone', password: 'password-123' }))
            .status,
        );
      }
      statuses.push(
        (await api.post('/api/v1/users/login', { username: 'someone', password: 'password-123' }))
          .status,
      );
      const limited = await api.post<Envelope>('/api/v1/users/register', {
        name: 'n',
        username: 'newuser',
        password: 'password-123',
      });
      expect(statuses).toEqual([401, 401, 401, 401]);
      expect(limited.status).toBe(429);
      expect(limited.body.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      // Other routes are not limited.
      expect((await api.get('/health/live')).status).toBe(200);
    } finally {
      await testApp.close();
    }
  });
});
