import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

export type OutboxStatus = 'pending' | 'delivered' | 'failed';

/**
 * One event for one receiver (WEBHOOK_URLS entry), written with the record it reports. `_id`
 * is derived from the event id and the URL: a fact recorded twice (two instances) is one entry.
 * While pending, `nextAttemptAt` is when it may be sent: a sender claims it by moving that
 * past its lease, so exactly one instance sends it at a time.
 */
@Schema({ collection: 'webhook_outbox', versionKey: false })
export class WebhookOutboxEntry {
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ type: String, required: true })
  eventId!: string;

  @Prop({ type: String, required: true })
  type!: string;

  /** The receiver, as configured when the event was recorded (kept out of every log). */
  @Prop({ type: String, required: true })
  url!: string;

  /** The request body exactly as signed and sent. */
  @Prop({ type: String, required: true })
  body!: string;

  @Prop({ type: String, required: true, enum: ['pending', 'delivered', 'failed'] })
  status!: OutboxStatus;

  @Prop({ type: Number, required: true, default: 0 })
  attempts!: number;

  @Prop({ type: Date, required: true })
  nextAttemptAt!: Date;

  /** The instance holding the lease (between a claim and its outcome). */
  @Prop({ type: String })
  leasedBy?: string;

  @Prop({ type: Date, required: true })
  createdAt!: Date;

  /** Why the last attempt failed: an HTTP status or a network error's code, never a body. */
  @Prop({ type: String })
  lastError?: string;

  /** Removed after this (a TTL index): delivered and failed entries are kept a while. */
  @Prop({ type: Date, required: true })
  expiresAt!: Date;
}

export const WebhookOutboxSchema = SchemaFactory.createForClass(WebhookOutboxEntry);
// What a sender claims: due pending entries, oldest first.
WebhookOutboxSchema.index({ status: 1, nextAttemptAt: 1 });
WebhookOutboxSchema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });
