import { randomBytes } from 'node:crypto';
import { startTestApp, type TestApp } from './test-app.js';

/** The error shape of every HTTP error. */
export interface Envelope {
  error: string;
  status: number;
  details?: { field: string; message: string }[];
}

export interface ApiResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

export interface RequestOptions {
  /** JSON-serialised unless a string (sent as is). */
  body?: unknown;
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  headers?: Record<string, string>;
}

const BCRYPT_HASH = /\$2[aby]\$\d\d\$/;

/**
 * fetch() for the API that parses JSON and keeps every response, so a suite can check at the
 * end that no response ever carried a password, a hash or a password field.
 */
export class ApiClient {
  readonly responses: { method: string; path: string; status: number; text: string }[] = [];
  /** Plain-text passwords used by the suite; none may ever appear in a response. */
  readonly passwords = new Set<string>();

  constructor(private readonly testApp: TestApp) {}

  async request<T = unknown>(
    method: string,
    path: string,
    options: RequestOptions = {},
  ): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token !== undefined) headers.Authorization = `Bearer ${options.token}`;
    let body: string | undefined;
    if (options.body !== undefined) {
      headers['Content-Type'] ??= 'application/json';
      body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    }
    const response = await this.testApp.http(path, { method, headers, body });
    const text = await response.text();
    this.responses.push({ method, path, status: response.status, text });
    const parsed: unknown =
      text && response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text;
    return { status: response.status, headers: response.headers, body: parsed as T };
  }

  get<T = unknown>(path: string, options?: RequestOptions): Promise<ApiResponse<T>> {
    return this.request<T>('GET', path, options);
  }

  post<T = unknown>(
    path: string,
    body?: unknown,
    options: RequestOptions = {},
  ): Promise<ApiResponse<T>> {
    return this.request<T>('POST', path, { ...options, body });
  }

  patch<T = unknown>(
    path: string,
    body?: unknown,
    options: RequestOptions = {},
  ): Promise<ApiResponse<T>> {
    return this.request<T>('PATCH', path, { ...options, body });
  }

  delete<T = unknown>(path: string, options?: RequestOptions): Promise<ApiResponse<T>> {
    return this.request<T>('DELETE', path, options);
  }

  /** Every response so far that leaked a password field, a bcrypt hash or a known password. */
  leaks(): string[] {
    return this.responses
      .filter(
        ({ text }) =>
          /"password(Hash)?"\s*:/.test(text) ||
          BCRYPT_HASH.test(text) ||
          [...this.passwords].some((password) => text.includes(password)),
      )
      .map(
        ({ method, path, status, text }) => `${method} ${path} ${status}: ${text.slice(0, 200)}`,
      );
  }
}

export interface TestUser {
  id: string;
  name: string;
  username: string;
  password: string;
  token: string;
}

let userCounter = 0;

export function uniqueUsername(prefix = 'user'): string {
  userCounter += 1;
  return `${prefix}${userCounter}_${randomBytes(3).toString('hex')}`;
}

/** Registers and signs in a fresh user through the API. */
export async function createUser(
  api: ApiClient,
  overrides: Partial<Pick<TestUser, 'name' | 'username' | 'password'>> = {},
): Promise<TestUser> {
  const username = overrides.username ?? uniqueUsername();
  const password = overrides.password ?? `pw-${randomBytes(8).toString('hex')}`;
  const name = overrides.name ?? `Name of ${username}`;
  api.passwords.add(password);
  const registered = await api.post<{ user: { id: string } }>('/api/v1/auth/register', {
    name,
    username,
    password,
  });
  if (registered.status !== 201)
    throw new Error(`register failed: ${registered.status} ${JSON.stringify(registered.body)}`);
  const login = await api.post<{ token: string }>('/api/v1/auth/login', { username, password });
  if (login.status !== 200)
    throw new Error(`login failed: ${login.status} ${JSON.stringify(login.body)}`);
  return { id: registered.body.user.id, name, username, password, token: login.body.token };
}

/** Cheap hashing and no sign-in rate limit: suites that register many users. */
export const FAST_AUTH_ENV = { BCRYPT_ROUNDS: '4', RATE_LIMIT_AUTH_PER_MINUTE: '100000' };

/**
 * Boots the whole app for a describe block with an ApiClient, and checks after the last test
 * that no response leaked a password or hash. Read the fields inside tests (after beforeAll).
 */
export function useApiTestApp(env: Record<string, string> = {}): {
  testApp: TestApp;
  api: ApiClient;
} {
  const state = {} as { testApp: TestApp; api: ApiClient };
  beforeAll(async () => {
    state.testApp = await startTestApp({ env: { ...FAST_AUTH_ENV, ...env } });
    state.api = new ApiClient(state.testApp);
  });
  afterAll(async () => {
    expect(state.api.leaks()).toEqual([]);
    await state.testApp.close();
  });
  return state;
}
