// @ts-check
// The REST API under /api/v1: one fetch wrapper (the session's bearer token, error envelopes
// turned into Errors; JSON both ways, or a file) and the calls the client makes.
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
/**
 * One meeting in the user's history. Entries with a `sessionId` were recorded by the call, one
 * per session of a registered meeting attended (`leftAt` and `durationMs` are null while the
 * user is in it; `hosted`: they hosted it and may read its attendance); entries without one
 * were added by hand (open rooms) and have only the code and the date.
 * @typedef {{ id: string, meetingCode: string, date: string, sessionId?: string,
 *   title?: string, leftAt?: string | null, durationMs?: number | null,
 *   hosted?: boolean }} HistoryEntry
 */
/** @typedef {{ items: HistoryEntry[], total: number, page: number, limit: number }} HistoryPage */
/** @typedef {import('./protocol.js').Role} Role */
/** @typedef {'left' | 'removed' | 'disconnected' | 'meeting-ended'} VisitEndReason */
/**
 * One visit to a session (a reconnect within the grace window is the same visit); `leftAt`,
 * `durationMs` and `reason` are null while the visitor is in the call.
 * @typedef {{ name: string, userId: string | null, guest: boolean, role: Role,
 *   joinedAt: string, leftAt: string | null, durationMs: number | null,
 *   reason: VisitEndReason | null }} Visit
 */
/**
 * A meeting session (one live period of the meeting) with its attendance, one entry per
 * visit in order of arrival: its host's view.
 * @typedef {{ id: string, code: string, title?: string, startedAt: string,
 *   endedAt: string | null, durationMs: number | null, live: boolean,
 *   peakParticipants: number, attendees: number, visits: number,
 *   attendance: Visit[] }} SessionDetail
 */
/** @typedef {{ blob: Blob, filename: string }} Download */
/** @typedef {{ error?: string, details?: { message: string }[] }} ErrorEnvelope */

const API = '/api/v1';

/** A refused or failed call: the server's message, and the HTTP status for who needs it. */
export class ApiError extends Error {
  /**
   * @param {string} message
   * @param {number} status
   */
  constructor(message, status) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
  }
}

/**
 * Sends a request to the API and answers its successful response, body unread; a failure
 * (the token forgotten on 401) throws an ApiError with the error envelope's message.
 * @param {string} path
 * @param {{ method?: 'GET' | 'POST', body?: object, auth?: boolean }} [options]
 * @returns {Promise<Response>}
 */
async function send(path, { method = 'GET', body, auth = true } = {}) {
  /** @type {Record<string, string>} */
  const headers = {};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (auth && session.token) headers.Authorization = `Bearer ${session.token}`;
  const response = await fetch(`${API}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  // The token expired or was revoked: stop presenting it.
  if (response.status === 401 && auth && session.token) session.clear();
  if (!response.ok) {
    const envelope = /** @type {ErrorEnvelope | null} */ (await response.json().catch(() => null));
    const detail = envelope?.details?.map((d) => d.message).join('; ');
    throw new ApiError(detail || envelope?.error || `HTTP ${response.status}`, response.status);
  }
  return response;
}

/**
 * JSON both ways. T is what the endpoint answers, taken on trust from the server.
 * @template T
 * @param {string} path
 * @param {{ method?: 'GET' | 'POST', body?: object, auth?: boolean }} [options]
 * @returns {Promise<T>}
 */
async function request(path, options) {
  const response = await send(path, options);
  /** @type {unknown} */
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  return /** @type {T} */ (data);
}

/**
 * The file name a `Content-Disposition` header suggests (RFC 6266: `filename*` first), without
 * any folder part; undefined when it names none.
 * @param {string | null} header
 * @returns {string | undefined}
 */
function filenameOf(header) {
  if (!header) return undefined;
  /** @type {string | undefined} */
  let name;
  const encoded = /filename\*\s*=\s*[\w-]*'[^']*'([^;]+)/i.exec(header);
  if (encoded) {
    try {
      name = decodeURIComponent(encoded[1].trim());
    } catch {
      // A malformed encoding: the plain parameter, if any, instead.
    }
  }
  if (name === undefined) {
    const plain = /filename\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]+))/i.exec(header);
    name = plain ? (plain[1]?.replace(/\\(.)/g, '$1') ?? plain[2]) : undefined;
  }
  return name?.split(/[\\/]/).pop()?.trim() || undefined;
}

/**
 * @param {string} code
 * @param {string} sessionId
 */
function sessionPath(code, sessionId) {
  return `/meetings/${encodeURIComponent(code)}/sessions/${encodeURIComponent(sessionId)}`;
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

  /**
   * One session of a meeting with its attendance (its host only: 403 for anyone else).
   * @param {string} code
   * @param {string} sessionId
   * @returns {Promise<SessionDetail>}
   */
  session: (code, sessionId) => request(sessionPath(code, sessionId)),

  /**
   * The same attendance as a CSV file, with the name the server gives it.
   * @param {string} code
   * @param {string} sessionId
   * @returns {Promise<Download>}
   */
  attendanceCsv: async (code, sessionId) => {
    const response = await send(`${sessionPath(code, sessionId)}?format=csv`);
    return {
      blob: await response.blob(),
      filename: filenameOf(response.headers.get('Content-Disposition')) ?? `${code}-attendance.csv`,
    };
  },

  /** @returns {Promise<IceServersResponse>} */
  iceServers: () => request('/ice-servers'),
};
