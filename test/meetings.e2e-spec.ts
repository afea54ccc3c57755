import { getModelToken } from '@nestjs/mongoose';
import { type Model, Types } from 'mongoose';
import { MeetingsService } from '../src/meetings/meetings.service.js';
import { MeetingHistoryEntry } from '../src/meetings/schemas/meeting-history-entry.schema.js';
import { Meeting as MeetingModel } from '../src/meetings/schemas/meeting.schema.js';
import { UsersService } from '../src/users/users.service.js';
import { ApiClient, type Envelope, createUser, type TestUser } from './support/api-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

interface Meeting {
  code: string;
  title?: string;
  hostName: string;
  createdAt: string;
  passcodeRequired: boolean;
  allowGuests: boolean;
  muteOnEntry: boolean;
  live: boolean;
  passcode?: string | null;
}

interface MeetingPage {
  items: Meeting[];
  total: number;
  page: number;
  limit: number;
}

const PUBLIC_FIELDS = [
  'allowGuests',
  'code',
  'createdAt',
  'hostName',
  'live',
  'muteOnEntry',
  'passcodeRequired',
  'waitingRoom',
];

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
    // No meetings response ever names the host's id (nor the stored field).
    expect(
      api.responses.filter(
        ({ path, text }) => path.startsWith('/api/v1/meetings') && /"hostId"/.test(text),
      ),
    ).toEqual([]);
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
      expect(Object.keys(details.body).sort()).toEqual(PUBLIC_FIELDS);
      expect(details.body).toEqual({
        code: created.body.code,
        hostName: 'Host Person',
        createdAt: created.body.createdAt,
        passcodeRequired: false,
        allowGuests: true,
        muteOnEntry: false,
        waitingRoom: 'off',
        live: false,
      });
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

  describe('settings', () => {
    const SECRET = 'Sesame Open 42';

    async function createWithPasscode(): Promise<Meeting> {
      const created = await api.post<Meeting>(
        '/api/v1/meetings',
        { title: 'Board', passcode: SECRET, allowGuests: false, muteOnEntry: true },
        { token: host.token },
      );
      expect(created.status).toBe(201);
      return created.body;
    }

    it('creates a meeting with settings; the host sees the passcode exactly as given', async () => {
      const meeting = await createWithPasscode();
      expect(meeting).toMatchObject({
        title: 'Board',
        passcode: SECRET,
        passcodeRequired: true,
        allowGuests: false,
        muteOnEntry: true,
        live: false,
      });
      expect(Object.keys(meeting)).not.toContain('hostId');
      const spaced = await api.post<Meeting>(
        '/api/v1/meetings',
        { passcode: ' ab ' },
        { token: host.token },
      );
      expect(spaced.body.passcode).toBe(' ab ');
      const defaults = await api.post<Meeting>(
        '/api/v1/meetings',
        { passcode: null },
        { token: host.token },
      );
      expect(defaults.body).toMatchObject({
        passcode: null,
        passcodeRequired: false,
        allowGuests: true,
        muteOnEntry: false,
      });
    });

    it('never shows the passcode nor the host id to anyone but the host', async () => {
      const meeting = await createWithPasscode();
      const path = `/api/v1/meetings/${meeting.code}`;
      for (const token of [undefined, guest.token]) {
        const details = await api.get<Meeting>(path, { token });
        expect(details.status).toBe(200);
        expect(Object.keys(details.body).sort()).toEqual([...PUBLIC_FIELDS, 'title'].sort());
        expect(details.body).toMatchObject({
          passcodeRequired: true,
          allowGuests: false,
          muteOnEntry: true,
        });
        const text = api.responses.at(-1)?.text ?? '';
        expect(text).not.toContain(SECRET);
        expect(text).not.toContain(host.id);
      }
      const own = await api.get<Meeting>(path, { token: host.token });
      expect(own.body.passcode).toBe(SECRET);
      expect(api.responses.at(-1)?.text).not.toContain(host.id);
      // A token, when sent, must be valid (as on every optional-auth route).
      expect((await api.get(path, { token: 'not-a-token' })).status).toBe(401);
    });

    it('finds a meeting by its code in any case, or by its URL', async () => {
      const meeting = await createWithPasscode();
      const upper = meeting.code.toUpperCase();
      const found = await api.get<Meeting>(`/api/v1/meetings/${upper}`);
      expect(found.status).toBe(200);
      expect(found.body.code).toBe(meeting.code);
      const byUrl = await api.get<Meeting>(
        `/api/v1/meetings/${encodeURIComponent(`https://meet.example/meet/${upper}`)}`,
      );
      expect(byUrl.body.code).toBe(meeting.code);
      const patched = await api.patch<Meeting>(
        `/api/v1/meetings/${upper}`,
        { muteOnEntry: false },
        { token: host.token },
      );
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({ code: meeting.code, muteOnEntry: false });
    });

    it('lets the host change the settings; null removes the passcode', async () => {
      const meeting = await createWithPasscode();
      const path = `/api/v1/meetings/${meeting.code}`;
      const changed = await api.patch<Meeting>(
        path,
        { allowGuests: true, passcode: 'new-code' },
        { token: host.token },
      );
      expect(changed.status).toBe(200);
      expect(changed.body).toMatchObject({
        code: meeting.code,
        title: 'Board',
        passcode: 'new-code',
        passcodeRequired: true,
        allowGuests: true,
        muteOnEntry: true,
      });
      const removed = await api.patch<Meeting>(path, { passcode: null }, { token: host.token });
      expect(removed.body).toMatchObject({ passcode: null, passcodeRequired: false });
      const details = await api.get<Meeting>(path);
      expect(details.body).toMatchObject({
        passcodeRequired: false,
        allowGuests: true,
        muteOnEntry: true,
      });
    });

    it('answers anyone but the host 403, an unknown code 404, and no token 401', async () => {
      const meeting = await createWithPasscode();
      const path = `/api/v1/meetings/${meeting.code}`;
      const foreign = await api.patch<Envelope>(path, { passcode: null }, { token: guest.token });
      expect(foreign.status).toBe(403);
      expect(foreign.body).toEqual({ error: 'Only the host can change this meeting', status: 403 });
      expect((await api.get<Meeting>(path, { token: host.token })).body.passcode).toBe(SECRET);
      const missing = await api.patch<Envelope>(
        '/api/v1/meetings/zzz-zzzz-zzz',
        { allowGuests: true },
        { token: host.token },
      );
      expect(missing.status).toBe(404);
      expect(missing.body).toEqual({ error: 'Meeting not found', status: 404 });
      expect(
        (
          await api.patch(
            '/api/v1/meetings/not-a-code',
            { allowGuests: true },
            { token: host.token },
          )
        ).status,
      ).toBe(404);
      expect((await api.patch(path, { allowGuests: true })).status).toBe(401);
    });

    it.each([
      ['an empty body', {}, undefined],
      ['a 3-character passcode', { passcode: 'abc' }, 'passcode'],
      ['a 33-character passcode', { passcode: 'p'.repeat(33) }, 'passcode'],
      ['a numeric passcode', { passcode: 1234 }, 'passcode'],
      ['a string allowGuests', { allowGuests: 'true' }, 'allowGuests'],
      ['a numeric muteOnEntry', { muteOnEntry: 1 }, 'muteOnEntry'],
      ['a null allowGuests', { allowGuests: null }, 'allowGuests'],
      ['an unknown waiting room mode', { waitingRoom: 'sometimes' }, 'waitingRoom'],
      ['a title (not a setting)', { title: 'Renamed' }, 'title'],
    ])('refuses to change %s with 400', async (_label, body, field) => {
      const meeting = await createWithPasscode();
      const response = await api.patch<Envelope>(`/api/v1/meetings/${meeting.code}`, body, {
        token: host.token,
      });
      expect(response.status).toBe(400);
      expect(response.body.status).toBe(400);
      if (field !== undefined) {
        expect(response.body.details?.map((detail) => detail.field)).toContain(field);
      }
    });

    it.each([
      ['a 3-character passcode', { passcode: 'abc' }, 'passcode'],
      ['a 33-character passcode', { passcode: 'p'.repeat(33) }, 'passcode'],
      ['a string allowGuests', { allowGuests: 'no' }, 'allowGuests'],
      ['a null muteOnEntry', { muteOnEntry: null }, 'muteOnEntry'],
      ['an unknown waiting room mode', { waitingRoom: 'always' }, 'waitingRoom'],
    ])('refuses to create a meeting with %s', async (_label, body, field) => {
      const response = await api.post<Envelope>('/api/v1/meetings', body, { token: host.token });
      expect(response.status).toBe(400);
      expect(response.body.details?.map((detail) => detail.field)).toContain(field);
    });

    it('accepts passcodes of 4 and 32 characters', async () => {
      for (const passcode of ['abcd', 'p'.repeat(32), '🔑🔑🔑🔑']) {
        const response = await api.post<Meeting>(
          '/api/v1/meetings',
          { passcode },
          { token: host.token },
        );
        expect(response.status).toBe(201);
        expect(response.body.passcode).toBe(passcode);
      }
    });

    it('lists your own meetings only, newest first, paginated, with their passcodes', async () => {
      const owner = await createUser(api, { name: 'Owner' });
      const other = await createUser(api);
      const foreign = await api.post<Meeting>('/api/v1/meetings', {}, { token: other.token });
      const codes: string[] = [];
      for (let i = 0; i < 5; i++) {
        const created = await api.post<Meeting>(
          '/api/v1/meetings',
          { title: `Meeting ${i}`, passcode: `pass-${i}` },
          { token: owner.token },
        );
        codes.push(created.body.code);
      }
      const first = await api.get<MeetingPage>('/api/v1/meetings?limit=2', {
        token: owner.token,
      });
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({ total: 5, page: 1, limit: 2 });
      expect(first.body.items.map((item) => item.code)).toEqual([codes[4], codes[3]]);
      expect(first.body.items[0]).toMatchObject({
        title: 'Meeting 4',
        hostName: 'Owner',
        passcode: 'pass-4',
        passcodeRequired: true,
        live: false,
      });
      const last = await api.get<MeetingPage>('/api/v1/meetings?page=3&limit=2', {
        token: owner.token,
      });
      expect(last.body.items.map((item) => item.code)).toEqual([codes[0]]);
      const all = await api.get<MeetingPage>('/api/v1/meetings', { token: owner.token });
      expect(all.body).toMatchObject({ total: 5, page: 1, limit: 20 });
      expect(all.body.items.map((item) => item.code)).not.toContain(foreign.body.code);
      expect((await api.get('/api/v1/meetings')).status).toBe(401);
      expect(
        (await api.get<Envelope>('/api/v1/meetings?limit=101', { token: owner.token })).status,
      ).toBe(400);
    });
  });

  describe('join rules and presence (for the signaling side)', () => {
    it('gives the rules of a registered meeting in any case, and undefined for open rooms', async () => {
      const service = testApp.app.get(MeetingsService);
      const created = await api.post<Meeting>(
        '/api/v1/meetings',
        { passcode: 'Secret 1', allowGuests: false, muteOnEntry: true },
        { token: host.token },
      );
      const rules = await service.joinRules(created.body.code.toUpperCase());
      expect(rules).toMatchObject({
        code: created.body.code,
        hostId: host.id,
        allowGuests: false,
        muteOnEntry: true,
        passcodeRequired: true,
      });
      expect(rules?.passcodeMatches('Secret 1')).toBe(true);
      expect(rules?.passcodeMatches('secret 1')).toBe(false);
      expect(rules?.passcodeMatches('Secret 1 ')).toBe(false);
      expect(rules?.passcodeMatches('')).toBe(false);
      expect(rules?.passcodeMatches(42 as unknown as string)).toBe(false);

      await api.patch(
        `/api/v1/meetings/${created.body.code}`,
        { passcode: null },
        { token: host.token },
      );
      const open = await service.joinRules(created.body.code);
      expect(open?.passcodeRequired).toBe(false);
      expect(open?.passcodeMatches('anything')).toBe(true);

      expect(await service.joinRules('zzz-zzzz-zzz')).toBeUndefined();
      expect(await service.joinRules('my-ad-hoc-room')).toBeUndefined();
      expect(await service.joinRules('')).toBeUndefined();
    });

    it('reads a meeting stored before the settings existed with the defaults', async () => {
      const model = testApp.app.get<Model<MeetingModel>>(getModelToken(MeetingModel.name));
      await model.collection.insertOne({
        code: 'old-meet-ing',
        hostId: new Types.ObjectId(host.id),
        createdAt: new Date(),
      });
      const details = await api.get<Meeting>('/api/v1/meetings/old-meet-ing');
      expect(details.body).toMatchObject({
        passcodeRequired: false,
        allowGuests: true,
        muteOnEntry: false,
      });
      const rules = await testApp.app.get(MeetingsService).joinRules('old-meet-ing');
      expect(rules).toMatchObject({
        allowGuests: true,
        muteOnEntry: false,
        passcodeRequired: false,
      });
    });

    it('reports a meeting live when a presence provider says so', async () => {
      const asked: string[] = [];
      const service = new MeetingsService(
        testApp.app.get(getModelToken(MeetingModel.name)),
        testApp.app.get(getModelToken(MeetingHistoryEntry.name)),
        testApp.app.get(UsersService),
        {
          isLive: (code: string) => {
            asked.push(code);
            return Promise.resolve(true);
          },
        },
      );
      const created = await api.post<Meeting>('/api/v1/meetings', {}, { token: host.token });
      const details = await service.findMeeting(created.body.code.toUpperCase());
      expect(details.live).toBe(true);
      expect(asked).toEqual([created.body.code]);
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
