import { ConfigurationError } from '../config/env-readers.js';
import { readWebhooksConfig } from './webhooks.config.js';

function problemWith(env: Record<string, string>): ConfigurationError {
  try {
    readWebhooksConfig(env);
  } catch (error) {
    if (error instanceof ConfigurationError) return error;
    throw error;
  }
  throw new Error('expected a configuration error');
}

describe('WEBHOOK_SECRET', () => {
  const url = 'https://hooks.example/meet';

  it('is required with WEBHOOK_URLS: missing or blank stops start-up saying so', () => {
    const envs: Record<string, string>[] = [
      { WEBHOOK_URLS: url },
      { WEBHOOK_URLS: url, WEBHOOK_SECRET: '   ' },
    ];
    for (const env of envs) {
      const problem = problemWith(env);
      expect(problem.variable).toBe('WEBHOOK_SECRET');
      expect(problem.message).toMatch(/is required with WEBHOOK_URLS/);
    }
  });

  it('accepts any non-empty secret, short ones too (the sender warns about those)', () => {
    expect(readWebhooksConfig({ WEBHOOK_URLS: url, WEBHOOK_SECRET: 'short' })).toMatchObject({
      urls: [url],
      secret: 'short',
    });
    expect(readWebhooksConfig({ WEBHOOK_URLS: url, WEBHOOK_SECRET: 'x' }).secret).toBe('x');
  });
});
