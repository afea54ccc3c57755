import { type Environment, readBoolean, readRaw } from '../config/env-readers.js';

export interface MetricsConfig {
  enabled: boolean;
  /** When set, GET /metrics requires `Authorization: Bearer <token>`. */
  token: string | undefined;
}

/** METRICS_ENABLED, METRICS_TOKEN. */
export function readMetricsConfig(env: Environment): MetricsConfig {
  return {
    enabled: readBoolean(env, 'METRICS_ENABLED', false),
    token: readRaw(env, 'METRICS_TOKEN'),
  };
}
