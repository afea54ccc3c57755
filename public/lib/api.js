// @ts-check
// The REST API under /api/v1: one fetch wrapper (JSON both ways, the session's bearer token,
// error envelopes turned into Errors) and the calls the client makes.
import { session } from './session.js';

/** @typedef {import('./session.js').User} User */
/** @typedef {import('./protocol.js').IceServersResponse} IceServersResponse */
/** @typedef {{ token: string, user: User }} SignedIn */
/** @typedef {import('./protocol.js').WaitingRoomMode} WaitingRoomMode */
/**
 * A meeting as anyone sees it; its host also gets the passcode (null: none).
 * @typedef {{ code: string, title?: string, hostName: string, createdAt: string,
 *   passcodeRequired: boolean, allowGuests: boolean, muteOnEntry: boolean,
 *   waitingRoom: WaitingRoomMode, live: boolean, passcode?: string | null }} Meeting
 */
/**
 * What a host chooses when creating a meeting (left out: the server's default).
 * @typedef {{ title?: string, passcode?: string, allowGuests?: boolean, muteOnEntry?: boolean,
 *   waitingRoom?: WaitingRoomMode }} MeetingSettings
 */
/** @typedef {{ id: string, meetingCode: string, date: string }} HistoryEntry */
/** @typedef {{ items: HistoryEntry[], total: number, page: number, limit: number }} HistoryPage */
/** @typedef {{ error?: string, details?: { message: string }[] }} ErrorEnvelope */

const API = '/api/v1';

/**
 * T is what the endpoint answers, taken on trust from the server.
 * @template T
 * @param {string} path
 * @param {{ method?: 'GET' | 'POST', body?: object, auth?: boolean }} [options]
 * @returns {Promise<T>}
 */
async function request(path, { method = 'GET', body, auth = true } = {}) {
  /** @type {Record<string, string>} */
  const headers = {};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (auth && session.token) headers.Authorization = `Bearer ${session.token}`;
  const response = await fetch(`${API}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  /** @type {unknown} */
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  // The token expired or was revoked: stop presenting it.
  if (response.status === 401 && auth && session.token) session.clear();
  if (!response.ok) {
    const envelope = /** @type {ErrorEnvelope | null} */ (data);
    const detail = envelope?.details?.map((d) => d.message).join('; ');
    throw new Error(detail || envelope?.error || `HTTP ${response.status}`);
  }
  return /** @type {T} */ (data);
}

export const api = {
  /**
   * @param {{ name: string, username: string, password: string }} account
   * @returns {Promise<unknown>}
   */
  register: (account) => request('/auth/register', { method: 'POST', auth: false, body: account }),

  /**
   * @param {string} username
   * @param {string} password
   * @returns {Promise<SignedIn>}
   */
  signIn: (username, password) =>
    request('/auth/login', { method: 'POST', auth: false, body: { username, password } }),

  /** @returns {Promise<unknown>} */
  signOut: () => request('/auth/logout', { method: 'POST' }),

  /**
   * @param {MeetingSettings} [settings]
   * @returns {Promise<Meeting>}
   */
  createMeeting: (settings = {}) => request('/meetings', { method: 'POST', body: settings }),

  /**
   * A registered meeting's settings (its host's view when signed in as its host); 404 when
   * nobody registered that code (an open room).
   * @param {string} code
   * @returns {Promise<Meeting>}
   */
  meeting: (code) => request(`/meetings/${encodeURIComponent(code)}`),

  /** @returns {Promise<HistoryPage>} */
  history: () => request('/meetings/history?limit=50'),

  /**
   * @param {string} meetingCode
   * @returns {Promise<unknown>}
   */
  addToHistory: (meetingCode) =>
    request('/meetings/history', { method: 'POST', body: { meetingCode } }),

  /** @returns {Promise<IceServersResponse>} */
  iceServers: () => request('/ice-servers'),
};
