import { DEFAULT_PORT } from '../common/http.config.js';
import { ConfigurationError, loadConfiguration } from './configuration.js';

function problemWith(env: Record<string, string>): ConfigurationError {
  try {
    loadConfiguration(env);
  } catch (error) {
    if (error instanceof ConfigurationError) return error;
    throw error;
  }
  throw new Error('configuration was accepted');
}

describe('loadConfiguration', () => {
  it('starts with no variables at all, on the port the existing client expects', () => {
    const config = loadConfiguration({});
    expect(config.nodeEnv).toBe('development');
    expect(config.http.port).toBe(DEFAULT_PORT);
    expect(config.http.port).toBe(8000);
    expect(config.http.bodyLimitBytes).toBe(40 * 1024);
    expect(config.http.corsOrigins).toBe(true);
    expect(config.auth.jwtExpiresInSeconds).toBe(7 * 86400);
    expect(config.auth.bcryptRounds).toBe(10);
    expect(config.logging.json).toBe(false);
  });

  it('generates a random per-process JWT secret in development and says so', () => {
    const first = loadConfiguration({});
    const second = loadConfiguration({});
    expect(first.auth.jwtSecretGenerated).toBe(true);
    expect(first.auth.jwtSecret.length).toBeGreaterThanOrEqual(32);
    expect(first.auth.jwtSecret).not.toBe(second.auth.jwtSecret);
    expect(loadConfiguration({ JWT_SECRET: 'given' }).auth).toMatchObject({
      jwtSecret: 'given',
      jwtSecretGenerated: false,
    });
  });

  it('requires a real JWT_SECRET in production', () => {
    expect(problemWith({ NODE_ENV: 'production' }).variable).toBe('JWT_SECRET');
    expect(problemWith({ NODE_ENV: 'production', JWT_SECRET: 'short' }).variable).toBe(
      'JWT_SECRET',
    );
    expect(
      problemWith({ NODE_ENV: 'production', JWT_SECRET: 'your_jwt_secret_key' }).variable,
    ).toBe('JWT_SECRET');
    const config = loadConfiguration({
      NODE_ENV: 'production',
      JWT_SECRET: 'x'.repeat(32),
      DB_URI: 'mongodb://db:27017/meet',
    });
    expect(config.logging).toEqual({ level: 'log', json: true });
    expect(config.http.corsOrigins).toEqual([]);
  });

  it('uses the embedded database (persisted to ./data) when DB_URI is unset, except in production', () => {
    expect(loadConfiguration({}).database).toEqual({
      uri: undefined,
      embedded: { dataDir: './data', port: 0, ttlSweepIntervalMs: 60_000 },
    });
    expect(
      loadConfiguration({
        DATA_DIR: ':memory:',
        EMBEDDED_DB_PORT: '27018',
        EMBEDDED_DB_TTL_SWEEP_SECONDS: '2',
      }).database.embedded,
    ).toEqual({ dataDir: null, port: 27018, ttlSweepIntervalMs: 2000 });
    expect(problemWith({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40) }).variable).toBe(
      'DB_URI',
    );
  });

  it('refuses fewer than 10 bcrypt rounds in production', () => {
    const env = {
      NODE_ENV: 'production',
      JWT_SECRET: 'x'.repeat(40),
      DB_URI: 'mongodb://db/meet',
      BCRYPT_ROUNDS: '8',
    };
    expect(problemWith(env).variable).toBe('BCRYPT_ROUNDS');
    expect(loadConfiguration({ BCRYPT_ROUNDS: '4' }).auth.bcryptRounds).toBe(4);
  });

  it.each([
    ['PORT', '80.5'],
    ['PORT', '-1'],
    ['PORT', '65536'],
    ['PORT', '8000abc'],
    ['BCRYPT_ROUNDS', '16'],
    ['JWT_EXPIRES_IN', '0'],
    ['JWT_EXPIRES_IN', '7 weeks'],
    ['BODY_LIMIT', '0'],
    ['BODY_LIMIT', '1gb'],
    ['CORS_ORIGINS', 'https://ok.example.com,ftp://files.example.com'],
    ['CORS_ORIGINS', 'https://example.com/path'],
    ['LOG_LEVEL', 'chatty'],
    ['NODE_ENV', 'staging'],
    ['DB_URI', 'http://localhost:27017'],
    ['EMBEDDED_DB_PORT', '-3'],
    ['TRUST_PROXY', 'yes please!'],
    ['SIGNALING_ALLOW_GUESTS', 'maybe'],
    ['ROOM_MAX_PARTICIPANTS', '1'],
    ['SOCKET_MAX_MESSAGE_SIZE', '10kb'],
    ['STUN_URLS', 'http://stun.example.com'],
    ['TURN_URLS', 'stun:wrong-scheme:3478'],
    ['CHAT_HISTORY_LIMIT', '-1'],
    ['CHAT_BUFFER_MESSAGES', '5'],
    ['CHAT_BUFFER_BYTES', '1kb'],
    ['CHAT_BUFFER_BYTES', '2gb'],
    ['REDIS_URL', 'http://redis:6379'],
    ['METRICS_ENABLED', 'sometimes'],
    ['RATE_LIMIT_AUTH_PER_MINUTE', '0'],
    ['RATE_LIMIT_LOGIN_FAILURES', 'ten'],
    ['RATE_LIMIT_LOGIN_FAILURE_WINDOW', 'a while'],
    ['RATE_LIMIT_ICE_SERVERS_PER_MINUTE', '0'],
    ['EMBEDDED_DB_TTL_SWEEP_SECONDS', '0'],
    // Durations are bounded: past them dates, timers and TTL indexes break at run time.
    ['JWT_EXPIRES_IN', '999999999d'],
    ['JWT_EXPIRES_IN', '366d'],
    ['JWT_EXPIRES_IN', '99999999999999999999'],
    ['RATE_LIMIT_LOGIN_FAILURE_WINDOW', '25h'],
    ['CHAT_RETENTION', '366d'],
    ['CHAT_RETENTION', '0'],
    ['RECONNECT_GRACE', '11m'],
    ['RECONNECT_GRACE', 'soon'],
    // TRUST_PROXY only in the forms Express compiles (src/common/http.config.spec.ts).
    ['TRUST_PROXY', 'foo'],
    ['TRUST_PROXY', '10.0.0.0/33'],
    ['TRUST_PROXY', 'loopback,10.0.0.300'],
    ['TRUST_PROXY', '33'],
  ])('names %s when it is %j', (variable, value) => {
    const error = problemWith({ [variable]: value });
    expect(error.variable).toBe(variable);
    expect(error.message.startsWith(`${variable} `)).toBe(true);
  });

  it('reads RECONNECT_GRACE: 30 s by default, a duration, or 0 for off', () => {
    expect(loadConfiguration({}).signaling.reconnectGraceMs).toBe(30_000);
    expect(loadConfiguration({ RECONNECT_GRACE: '2m' }).signaling.reconnectGraceMs).toBe(120_000);
    expect(loadConfiguration({ RECONNECT_GRACE: '0' }).signaling.reconnectGraceMs).toBe(0);
    expect(loadConfiguration({ RECONNECT_GRACE: '0s' }).signaling.reconnectGraceMs).toBe(0);
  });

  it('reads lists, sizes, durations and level aliases', () => {
    const config = loadConfiguration({
      PORT: '0',
      CORS_ORIGINS: ' https://a.example.com ,http://localhost:5173,',
      BODY_LIMIT: '1mb',
      JWT_EXPIRES_IN: '15m',
      LOG_LEVEL: 'INFO',
      DB_URI: 'mongodb+srv://user:pw@cluster.example.net/meet?retryWrites=true',
    });
    expect(config.http.port).toBe(0);
    expect(config.http.corsOrigins).toEqual(['https://a.example.com', 'http://localhost:5173']);
    expect(config.http.bodyLimitBytes).toBe(1024 * 1024);
    expect(config.auth.jwtExpiresInSeconds).toBe(900);
    expect(config.logging.level).toBe('log');
  });

  it('accepts each duration up to its bound', () => {
    const config = loadConfiguration({
      JWT_EXPIRES_IN: '365d',
      RATE_LIMIT_LOGIN_FAILURE_WINDOW: '24h',
      CHAT_RETENTION: '365d',
      TURN_URLS: 'turn:t.example.com:3478',
      TURN_SECRET: 's',
      TURN_TTL: '7d',
    });
    expect(config.auth.jwtExpiresInSeconds).toBe(365 * 86400);
    expect(config.rateLimits.loginFailures.windowMs).toBe(86400 * 1000);
    expect(config.signaling.chatRetentionSeconds).toBe(365 * 86400);
    expect(config.signaling.turn?.ttlSeconds).toBe(7 * 86400);
    expect(loadConfiguration({ JWT_EXPIRES_IN: '1' }).auth.jwtExpiresInSeconds).toBe(1);
    expect(
      problemWith({ TURN_URLS: 'turn:t.example.com:3478', TURN_SECRET: 's', TURN_TTL: '8d' })
        .variable,
    ).toBe('TURN_TTL');
  });

  it('says which range a duration must be in', () => {
    expect(problemWith({ JWT_EXPIRES_IN: '999999999d' }).message).toBe(
      'JWT_EXPIRES_IN must be a duration from 1s to 365d such as 3600, 15m, 12h or 7d (got "999999999d")',
    );
  });

  it('reads proxy trust and rate limits', () => {
    expect(loadConfiguration({}).http.trustProxy).toBe(false);
    expect(loadConfiguration({ TRUST_PROXY: '1' }).http.trustProxy).toBe(1);
    expect(loadConfiguration({ TRUST_PROXY: 'loopback, 10.0.0.0/8' }).http.trustProxy).toBe(
      'loopback, 10.0.0.0/8',
    );
    expect(loadConfiguration({}).rateLimits).toEqual({
      authPerAddress: { limit: 60, windowMs: 60_000 },
      loginFailures: { limit: 10, windowMs: 15 * 60_000 },
    });
    expect(
      loadConfiguration({ RATE_LIMIT_LOGIN_FAILURES: '3', RATE_LIMIT_LOGIN_FAILURE_WINDOW: '1h' })
        .rateLimits.loginFailures,
    ).toEqual({ limit: 3, windowMs: 3_600_000 });
    expect(loadConfiguration({}).signaling.iceServersRateLimit).toEqual({
      limit: 30,
      windowMs: 60_000,
    });
    expect(
      loadConfiguration({ RATE_LIMIT_ICE_SERVERS_PER_MINUTE: '5' }).signaling.iceServersRateLimit,
    ).toEqual({ limit: 5, windowMs: 60_000 });
  });

  it('reads signaling settings, with TURN only when both URLs and secret are given', () => {
    const defaults = loadConfiguration({}).signaling;
    expect(defaults).toMatchObject({
      allowGuests: true,
      maxParticipantsPerRoom: 16,
      maxMessageBytes: 256 * 1024,
      chatRetentionSeconds: 86400,
      chatHistoryLimit: 100,
      stunUrls: ['stun:stun.l.google.com:19302'],
      turn: undefined,
    });
    const turned = loadConfiguration({
      SIGNALING_ALLOW_GUESTS: 'false',
      TURN_URLS: 'turn:t.example.com:3478, turns:t.example.com:5349',
      TURN_SECRET: 's3cret',
      TURN_TTL: '1h',
    }).signaling;
    expect(turned.allowGuests).toBe(false);
    expect(turned.turn).toEqual({
      urls: ['turn:t.example.com:3478', 'turns:t.example.com:5349'],
      secret: 's3cret',
      ttlSeconds: 3600,
    });
    expect(problemWith({ TURN_URLS: 'turn:t.example.com:3478' }).variable).toBe('TURN_SECRET');
  });

  it('scales out only with REDIS_URL, and keeps metrics off by default', () => {
    expect(loadConfiguration({}).redis).toBeUndefined();
    expect(loadConfiguration({ REDIS_URL: 'redis://cache:6379' }).redis).toEqual({
      url: 'redis://cache:6379',
      keyPrefix: 'meet:',
      heartbeatMs: 5000,
      deadAfterMs: 20_000,
    });
    expect(
      problemWith({
        REDIS_URL: 'redis://x',
        NODE_HEARTBEAT_SECONDS: '10',
        NODE_DEAD_AFTER_SECONDS: '15',
      }).variable,
    ).toBe('NODE_DEAD_AFTER_SECONDS');
    expect(problemWith({ REDIS_URL: 'redis://x', REDIS_PREFIX: 'bad prefix!' }).variable).toBe(
      'REDIS_PREFIX',
    );
    // Checked whether or not their feature is on: a bad value never waits for a later edit.
    expect(problemWith({ NODE_HEARTBEAT_SECONDS: 'abc' }).variable).toBe('NODE_HEARTBEAT_SECONDS');
    expect(problemWith({ NODE_HEARTBEAT_SECONDS: '1e400' }).variable).toBe(
      'NODE_HEARTBEAT_SECONDS',
    );
    expect(problemWith({ REDIS_PREFIX: 'bad prefix!' }).variable).toBe('REDIS_PREFIX');
    expect(problemWith({ TURN_TTL: '9999999999999d' }).variable).toBe('TURN_TTL');
    expect(loadConfiguration({}).metrics).toEqual({ enabled: false, token: undefined });
    expect(loadConfiguration({ METRICS_ENABLED: 'true', METRICS_TOKEN: 't' }).metrics).toEqual({
      enabled: true,
      token: 't',
    });
  });

  it('treats empty values as unset', () => {
    expect(loadConfiguration({ PORT: '', LOG_LEVEL: '  ' }).http.port).toBe(8000);
  });

  it('reads webhooks: off by default; URLs need a secret; an invalid entry is named by position only', () => {
    expect(loadConfiguration({}).webhooks).toMatchObject({ urls: [], timeoutMs: 10_000 });
    const config = loadConfiguration({
      WEBHOOK_URLS: ' https://a.example/hook , http://127.0.0.1:9000/x ',
      WEBHOOK_SECRET: '0123456789abcdef',
      WEBHOOK_TIMEOUT: '3s',
    });
    expect(config.webhooks).toEqual({
      urls: ['https://a.example/hook', 'http://127.0.0.1:9000/x'],
      secret: '0123456789abcdef',
      timeoutMs: 3_000,
    });
    const invalid = problemWith({
      WEBHOOK_URLS: 'https://a.example/hook,mailto:secret-token@b.example',
      WEBHOOK_SECRET: '0123456789abcdef',
    });
    expect(invalid.variable).toBe('WEBHOOK_URLS');
    expect(invalid.message).toMatch(/entry 2 of 2/);
    expect(invalid.message).not.toMatch(/secret-token/);
    expect(problemWith({ WEBHOOK_URLS: 'https://a.example/hook,' }).variable).toBe('WEBHOOK_URLS');
    expect(problemWith({ WEBHOOK_URLS: 'https://a.example/hook' }).variable).toBe('WEBHOOK_SECRET');
    expect(
      problemWith({
        WEBHOOK_URLS: 'https://a.example/h,https://a.example/h',
        WEBHOOK_SECRET: '0123456789abcdef',
      }).message,
    ).toMatch(/twice/);
  });
});
