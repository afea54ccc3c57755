import type { IceServersResponse, JoinResult } from '../src/signaling/protocol/events.js';
import { ApiClient, createUser, type Envelope, FAST_AUTH_ENV } from './support/api-client.js';
import { connectSocket, nextEvent, request, type TestSocket } from './support/socket-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * The app booted without CompatModule: the modern REST and real-time API is complete on its
 * own, and nothing of the original client's quirks is left behind. (CI also deletes
 * src/compat/ altogether, compiles, and runs the modern suites.)
 */
describe('The modern API without the original client (no CompatModule)', () => {
  let testApp: TestApp;
  let api: ApiClient;
  const sockets: TestSocket[] = [];

  beforeAll(async () => {
    testApp = await startTestApp({ env: FAST_AUTH_ENV, compat: false });
    api = new ApiClient(testApp);
  });
  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.close();
  });
  afterAll(async () => {
    expect(api.leaks()).toEqual([]);
    await testApp.close();
  });

  it('signs up and in, creates a meeting, keeps history and signs out over REST', async () => {
    const user = await createUser(api, { name: 'Modern Ada' });
    expect((await api.get('/api/v1/users/me', { token: user.token })).body).toMatchObject({
      id: user.id,
      name: 'Modern Ada',
    });
    const meeting = await api.post<{ code: string }>(
      '/api/v1/meetings',
      { title: 'Modern sync' },
      { token: user.token },
    );
    expect(meeting.status).toBe(201);
    expect((await api.get(`/api/v1/meetings/${meeting.body.code}`)).body).toMatchObject({
      code: meeting.body.code,
      title: 'Modern sync',
      hostName: 'Modern Ada',
    });
    const entry = await api.post<{ id: string }>(
      '/api/v1/meetings/history',
      { meetingCode: meeting.body.code },
      { token: user.token },
    );
    expect(entry.status).toBe(201);
    const history = await api.get<{ items: { meetingCode: string }[] }>(
      '/api/v1/meetings/history',
      { token: user.token },
    );
    expect(history.body.items.map((item) => item.meetingCode)).toEqual([meeting.body.code]);
    const ice = await api.get<IceServersResponse>('/api/v1/ice-servers', { token: user.token });
    expect(ice.status).toBe(200);
    expect(
      (await api.delete(`/api/v1/meetings/history/${entry.body.id}`, { token: user.token })).status,
    ).toBe(204);
    expect((await api.post('/api/v1/auth/logout', undefined, { token: user.token })).status).toBe(
      204,
    );
    expect((await api.get('/api/v1/users/me', { token: user.token })).status).toBe(401);
  });

  it('holds a call over Socket.IO: a signed-in and a guest socket join, signal and chat', async () => {
    const user = await createUser(api, { name: 'Signed In' });
    const member = await connectSocket(testApp.baseUrl, { token: user.token });
    const guest = await connectSocket(testApp.baseUrl);
    sockets.push(member, guest);
    const first = await request(member, 'join-call', 'modern-room');
    expect(first.ok).toBe(true);
    const joined = (await request(guest, 'join-call', 'modern-room', 'Visitor')) as unknown as
      (JoinResult & { ok: true }) | { ok: false };
    expect(joined.ok && joined.participants.map((participant) => participant.name)).toEqual([
      'Signed In',
      'Visitor',
    ]);
    const signal = nextEvent(member, 'signal');
    expect((await request(guest, 'signal', member.id, { sdp: 'offer' })).ok).toBe(true);
    expect(await signal).toEqual([guest.id, { sdp: 'offer' }]);
    const chat = nextEvent(guest, 'chat-message');
    expect((await request(member, 'chat-message', 'hello')).ok).toBe(true);
    expect(await chat).toEqual(['hello', 'Signed In', member.id]);
  });

  it('has no /users/* routes of the original client and reads tokens from the header only', async () => {
    const user = await createUser(api);
    const login = await api.post<Envelope>('/api/v1/users/login', {
      username: user.username,
      password: user.password,
    });
    expect(login.status).toBe(404);
    expect(login.body.status).toBe(404);
    expect(
      (await api.get(`/api/v1/users/get_all_activity?token=${encodeURIComponent(user.token)}`))
        .status,
    ).toBe(404);
    expect(
      (await api.post('/api/v1/users/add_to_activity', { token: user.token, meetingId: 'x' }))
        .status,
    ).toBe(404);
    expect((await api.get(`/api/v1/users/me?token=${user.token}`)).status).toBe(401);
  });
});
