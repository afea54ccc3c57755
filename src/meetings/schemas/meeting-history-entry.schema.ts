import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { Types } from 'mongoose';
import { ROOM_ID_MAX_LENGTH } from '../../signaling/protocol/limits.js';

/**
 * One user attending one meeting. Not unique across users (several people attend the same
 * meeting), nor per user (the same meeting on several days).
 */
@Schema({ collection: 'meeting_history' })
export class MeetingHistoryEntry {
  @Prop({ type: Types.ObjectId, required: true })
  userId!: Types.ObjectId;

  @Prop({ type: String, required: true, maxlength: ROOM_ID_MAX_LENGTH })
  meetingCode!: string;

  @Prop({ type: Date, required: true, default: () => new Date() })
  date!: Date;
}

export const MeetingHistoryEntrySchema = SchemaFactory.createForClass(MeetingHistoryEntry);
MeetingHistoryEntrySchema.index({ userId: 1, date: -1 });
