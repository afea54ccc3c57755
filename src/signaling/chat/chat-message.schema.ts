import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { Types } from 'mongoose';
import {
  ACCOUNT_NAME_MAX_LENGTH,
  CHAT_TEXT_MAX_LENGTH,
  DISPLAY_NAME_MAX_LENGTH,
} from '../protocol/limits.js';

/** One chat message of a room, kept for late joiners for CHAT_RETENTION. */
@Schema({ collection: 'chat_messages', versionKey: false })
export class ChatMessage {
  @Prop({ type: String, required: true })
  room!: string;

  @Prop({ type: String, required: true, maxlength: CHAT_TEXT_MAX_LENGTH })
  text!: string;

  /** A guest's display name or an account's name. */
  @Prop({
    type: String,
    required: true,
    maxlength: Math.max(DISPLAY_NAME_MAX_LENGTH, ACCOUNT_NAME_MAX_LENGTH),
  })
  senderName!: string;

  @Prop({ type: String, required: true })
  senderSocketId!: string;

  @Prop({ type: Types.ObjectId })
  userId?: Types.ObjectId;

  @Prop({ type: Date, required: true })
  createdAt!: Date;
}

/** The schema with its indexes: recent history per room, and expiry after `retentionSeconds`. */
export function chatMessageSchema(
  retentionSeconds: number,
): ReturnType<typeof SchemaFactory.createForClass<ChatMessage>> {
  const schema = SchemaFactory.createForClass(ChatMessage);
  // Room history is read newest first.
  schema.index({ room: 1, createdAt: -1 });
  schema.index({ createdAt: 1 }, { expireAfterSeconds: retentionSeconds });
  return schema;
}
