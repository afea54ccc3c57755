import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { Types } from 'mongoose';
import { ROOM_ID_MAX_LENGTH } from '../../signaling/protocol/limits.js';

/**
 * One user attending one meeting. Not unique across users (several people attend the same
 * meeting), nor per user (the same meeting on several days). Entries recorded by the call
 * (registered meetings) are one per user and session, with the session's title and how long
 * the user stayed; entries added by hand (`POST /history`, the original client) have neither.
 */
@Schema({ collection: 'meeting_history' })
export class MeetingHistoryEntry {
  @Prop({ type: Types.ObjectId, required: true })
  userId!: Types.ObjectId;

  @Prop({ type: String, required: true, maxlength: ROOM_ID_MAX_LENGTH })
  meetingCode!: string;

  /** When the user joined (their first visit of the session, for recorded entries). */
  @Prop({ type: Date, required: true, default: () => new Date() })
  date!: Date;

  @Prop({ type: Types.ObjectId })
  sessionId?: Types.ObjectId;

  @Prop({ type: String })
  title?: string;

  /** When the user's last visit of the session ended (unset while they are in it). */
  @Prop({ type: Date })
  leftAt?: Date;

  /** Whether the user hosted the session (they may read its attendance). */
  @Prop({ type: Boolean })
  hosted?: boolean;
}

export const MeetingHistoryEntrySchema = SchemaFactory.createForClass(MeetingHistoryEntry);
MeetingHistoryEntrySchema.index({ userId: 1, date: -1 });
// One recorded entry per user and session.
MeetingHistoryEntrySchema.index(
  { userId: 1, sessionId: 1 },
  { unique: true, partialFilterExpression: { sessionId: { $exists: true } } },
);
