import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { WebhookOutbox } from './webhook-outbox.js';
import { WebhookOutboxEntry, WebhookOutboxSchema } from './webhook-outbox.schema.js';
import { WebhookSender } from './webhook-sender.js';

/**
 * Signed webhooks (WEBHOOK_URLS, WEBHOOK_SECRET): an outbox in the database, written by the
 * features that record events (attendance), and a sender on every instance.
 */
@Module({
  imports: [
    MongooseModule.forFeature([{ name: WebhookOutboxEntry.name, schema: WebhookOutboxSchema }]),
  ],
  providers: [WebhookOutbox, WebhookSender],
  exports: [WebhookOutbox],
})
export class WebhooksModule {}
