import { createHash, createHmac } from 'node:crypto';

export type WebhookEventType =
  | 'meeting.started'
  | 'meeting.ended'
  | 'participant.joined'
  | 'participant.left'
  | 'participant.removed'
  | 'lobby.waiting';

/** The body of every webhook request. */
export interface WebhookEvent {
  /** Unique per fact: the same fact reported twice (by two instances) has the same id. */
  id: string;
  type: WebhookEventType;
  /** When it happened (ISO 8601). */
  createdAt: string;
  data: Record<string, unknown>;
}

/**
 * An event whose id is derived from what it reports (`fact`: e.g. the session and visit), so
 * that recording it again, on any instance, yields the same id: receivers deduplicate by it.
 */
export function webhookEvent(
  type: WebhookEventType,
  fact: string,
  at: Date,
  data: Record<string, unknown>,
): WebhookEvent {
  const id = `evt_${createHash('sha256').update(`${type}\n${fact}`).digest('hex').slice(0, 32)}`;
  return { id, type, createdAt: at.toISOString(), data };
}

/** `Webhook-Signature`: `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`. */
export function signatureHeader(secret: string, body: string, unixSeconds: number): string {
  const mac = createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${mac}`;
}
