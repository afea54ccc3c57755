import { ApiClient, type Envelope, createUser, type TestUser } from './support/api-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

interface Meeting {
  code: string;
  title?: string;
  hostName: string;
  createdAt: string;
}

interface Entry {
  id: string;
  meetingCode: string;
  date: string;
}

interface HistoryPage {
  items: Entry[];
  total: number;
  page: number;
  limit: number;
}

describe('Meetings (whole app, real HTTP, embedded database)', () => {
  let testApp: TestApp;
  let api: ApiClient;
  let host: TestUser;
  let guest: TestUser;

  beforeAll(async () => {
    testApp = await startTestApp({
      env: { BCRYPT_ROUNDS: '4', RATE_LIMIT_AUTH_PER_MINUTE: '100000' },
    });
    api = new ApiClient(testApp);
    host = await createUser(api, { name: 'Host Person' });
    guest = await createUser(api, { name: 'Guest Person' });
  });
  afterAll(async () => {
    expect(api.leaks()).toEqual([]);
    await testApp.close();
  });

  describe('creating and reading meetings', () => {
    it('creates a meeting with an unguessable xxx-xxxx-xxx code, hosted by the caller', async () => {
      const created = await api.post<Meeting>(
        '/api/v1/meetings',
        { title: '  Weekly sync  ' },
        { token: host.token },
      );
      expect(created.status).toBe(201);
      expect(created.body.code).toMatch(/^[a-z]{3}-[a-z]{4}-[a-z]{3}$/);
      expect(created.body).toMatchObject({ title: 'Weekly sync', hostName: 'Host Person' });
      const codes = new Set<string>();
      for (let i = 0; i < 20; i++) {
        codes.add(
          (await api.post<Meeting>('/api/v1/meetings', {}, { token: host.token })).body.code,
        );
      }
      expect(codes.size).toBe(20);
    });

    it('shows public details to anyone, and 404 for an unknown code', async () => {
      const created = await api.post<Meeting>('/api/v1/meetings', {}, { token: host.token });
      const details = await api.get<Meeting>(`/api/v1/meetings/${created.body.code}`);
      expect(details.status).toBe(200);
      expect(Object.keys(details.body).sort()).toEqual(['code', 'createdAt', 'hostName']);
      expect(details.body).toMatchObject({ code: created.body.code, hostName: 'Host Person' });
      const missing = await api.get<Envelope>('/api/v1/meetings/zzz-zzzz-zzz');
      expect(missing.status).toBe(404);
      expect(missing.body).toEqual({ error: 'Meeting not found', status: 404 });
      expect((await api.get(`/api/v1/meetings/${'x'.repeat(10_000)}`)).status).toBe(404);
    });

    it.each([
      ['a numeric title', { title: 42 }, 'title'],
      ['an empty title', { title: '   ' }, 'title'],
      ['a 10 KB title', { title: 't'.repeat(10_240) }, 'title'],
      // It was taken for "no title": the field is optional, but null is not a title.
      ['a null title', { title: null }, 'title'],
      ['an unknown field', { code: 'aaa-bbbb-ccc' }, 'code'],
    ])('refuses to create a meeting with %s', async (_label, body, field) => {
      const response = await api.post<Envelope>('/api/v1/meetings', body, { token: host.token });
      expect(response.status).toBe(400);
      expect(response.body.details?.map((detail) => detail.field)).toContain(field);
    });

    it('requires sign-in to create a meeting', async () => {
      expect((await api.post('/api/v1/meetings', {})).status).toBe(401);
    });
  });

  describe('history', () => {
    it('pages the history newest first with the total count', async () => {
      const user = await createUser(api);
      for (let i = 0; i < 25; i++) {
        const added = await api.post<Entry>(
          '/api/v1/meetings/history',
          { meetingCode: `code-${i}` },
          { token: user.token },
        );
        expect(added.status).toBe(201);
      }
      const first = await api.get<HistoryPage>('/api/v1/meetings/history?limit=10', {
        token: user.token,
      });
      expect(first.body.total).toBe(25);
      expect(first.body.items.map((entry) => entry.meetingCode)).toEqual(
        Array.from({ length: 10 }, (_, i) => `code-${24 - i}`),
      );
      const last = await api.get<HistoryPage>('/api/v1/meetings/history?page=3&limit=10', {
        token: user.token,
      });
      expect(last.body).toMatchObject({ total: 25, page: 3, limit: 10 });
      expect(last.body.items.map((entry) => entry.meetingCode)).toEqual([
        'code-4',
        'code-3',
        'code-2',
        'code-1',
        'code-0',
      ]);
      const defaults = await api.get<HistoryPage>('/api/v1/meetings/history', {
        token: user.token,
      });
      expect(defaults.body).toMatchObject({ page: 1, limit: 20 });
    });

    it('keeps one meeting in the history of every user who attended it', async () => {
      const code = 'shared-meeting';
      await api.post('/api/v1/meetings/history', { meetingCode: code }, { token: host.token });
      await api.post('/api/v1/meetings/history', { meetingCode: code }, { token: guest.token });
      await api.post('/api/v1/meetings/history', { meetingCode: code }, { token: guest.token });
      const guestHistory = await api.get<HistoryPage>('/api/v1/meetings/history?limit=100', {
        token: guest.token,
      });
      expect(guestHistory.body.items.filter((entry) => entry.meetingCode === code)).toHaveLength(2);
      const hostHistory = await api.get<HistoryPage>('/api/v1/meetings/history?limit=100', {
        token: host.token,
      });
      expect(hostHistory.body.items.filter((entry) => entry.meetingCode === code)).toHaveLength(1);
    });

    it('deletes your own entry (204), and answers 404 for anyone else’s', async () => {
      const owner = await createUser(api);
      const intruder = await createUser(api);
      const entry = await api.post<Entry>(
        '/api/v1/meetings/history',
        { meetingCode: 'private' },
        { token: owner.token },
      );
      const foreign = await api.delete<Envelope>(`/api/v1/meetings/history/${entry.body.id}`, {
        token: intruder.token,
      });
      expect(foreign.status).toBe(404);
      expect(foreign.body).toEqual({ error: 'History entry not found', status: 404 });
      expect(
        (await api.get<HistoryPage>('/api/v1/meetings/history', { token: owner.token })).body.total,
      ).toBe(1);
      expect(
        (await api.delete(`/api/v1/meetings/history/${entry.body.id}`, { token: owner.token }))
          .status,
      ).toBe(204);
      expect(
        (await api.get<HistoryPage>('/api/v1/meetings/history', { token: owner.token })).body.total,
      ).toBe(0);
      expect(
        (await api.delete(`/api/v1/meetings/history/${entry.body.id}`, { token: owner.token }))
          .status,
      ).toBe(404);
      expect(
        (await api.delete('/api/v1/meetings/history/not-an-id', { token: owner.token })).status,
      ).toBe(404);
    });

    it.each([
      ['page=0', 'page'],
      ['limit=101', 'limit'],
      ['limit=abc', 'limit'],
      ['page=1.5', 'page'],
      ['sort=date', 'sort'],
    ])('rejects ?%s with 400', async (query, field) => {
      const response = await api.get<Envelope>(`/api/v1/meetings/history?${query}`, {
        token: host.token,
      });
      expect(response.status).toBe(400);
      expect(response.body.details?.map((detail) => detail.field)).toContain(field);
    });

    it.each([
      ['a missing code', {}],
      ['an empty code', { meetingCode: '   ' }],
      ['a 129-character code', { meetingCode: 'c'.repeat(129) }],
      ['an operator object', { meetingCode: { $ne: null } }],
      ['a number', { meetingCode: 7 }],
      ['a null code', { meetingCode: null }],
    ])('refuses to record %s', async (_label, body) => {
      const response = await api.post<Envelope>('/api/v1/meetings/history', body, {
        token: host.token,
      });
      expect(response.status).toBe(400);
      expect(response.body.details?.map((detail) => detail.field)).toContain('meetingCode');
    });

    it('trims codes and accepts unicode ones', async () => {
      const user = await createUser(api);
      const added = await api.post<Entry>(
        '/api/v1/meetings/history',
        { meetingCode: '  réunion-été  ' },
        { token: user.token },
      );
      expect(added.body.meetingCode).toBe('réunion-été');
    });
  });
});
