import {
  ConfigurationError,
  type Environment,
  readDuration,
  readRaw,
} from '../config/env-readers.js';

export interface WebhooksConfig {
  /** Where every event is sent (each receives each event); empty: webhooks off. */
  urls: string[];
  /** The HMAC-SHA256 key of `Webhook-Signature`; set whenever `urls` is not empty. */
  secret: string;
  /** How long a receiver has to answer (ms) before the try counts as failed. */
  timeoutMs: number;
}

/** Shorter secrets are accepted, with a warning at start-up (the secret is never printed). */
export const RECOMMENDED_SECRET_LENGTH = 16;

/**
 * WEBHOOK_URLS (comma-separated absolute http(s) URLs), WEBHOOK_SECRET (required with them,
 * any non-empty value; the sender warns when it is shorter than RECOMMENDED_SECRET_LENGTH)
 * and WEBHOOK_TIMEOUT (default 10 s). An entry is named by its position, never printed: a
 * URL may carry a token.
 */
export function readWebhooksConfig(env: Environment): WebhooksConfig {
  const raw = readRaw(env, 'WEBHOOK_URLS');
  const secret = readRaw(env, 'WEBHOOK_SECRET') ?? '';
  const timeoutMs = readDuration(env, 'WEBHOOK_TIMEOUT', 10, { min: 1, max: 60 }) * 1000;
  if (raw === undefined) return { urls: [], secret, timeoutMs };
  const urls = raw.split(',').map((url) => url.trim());
  urls.forEach((url, index) => {
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch {
      parsed = undefined;
    }
    if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
      throw new ConfigurationError(
        'WEBHOOK_URLS',
        `entry ${index + 1} of ${urls.length} is not an absolute http(s) URL (a comma-separated list such as https://example.com/hooks/meet)`,
      );
    }
  });
  if (new Set(urls).size !== urls.length) {
    throw new ConfigurationError('WEBHOOK_URLS', 'lists the same URL twice');
  }
  if (secret === '') {
    throw new ConfigurationError(
      'WEBHOOK_SECRET',
      `is required with WEBHOOK_URLS: a random value (${RECOMMENDED_SECRET_LENGTH} characters or more) that receivers use to verify signatures`,
    );
  }
  return { urls, secret, timeoutMs };
}
