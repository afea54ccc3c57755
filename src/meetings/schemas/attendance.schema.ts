import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { Types } from 'mongoose';
import type { Role } from '../../signaling/protocol/events.js';
import type { VisitEndReason } from '../../signaling/call/call-recorder.js';

/**
 * One participant's visit to a session: from joining to leaving (a reconnect within the grace
 * window is the same visit). Keyed by session, socket and join time, so that the records of
 * its start and end, written by any instance in any order, make one document.
 */
@Schema({ collection: 'meeting_attendance', versionKey: false })
export class Attendance {
  @Prop({ type: Types.ObjectId, required: true })
  sessionId!: Types.ObjectId;

  @Prop({ type: String, required: true })
  code!: string;

  @Prop({ type: String, required: true })
  socketId!: string;

  @Prop({ type: Date, required: true })
  joinedAt!: Date;

  @Prop({ type: String, required: true })
  name!: string;

  /** Missing for guests. */
  @Prop({ type: Types.ObjectId })
  userId?: Types.ObjectId;

  @Prop({ type: String, required: true, enum: ['host', 'cohost', 'participant'] })
  role!: Role;

  /** Unset while the visit goes on. */
  @Prop({ type: Date })
  leftAt?: Date;

  @Prop({ type: String, enum: ['left', 'removed', 'disconnected', 'meeting-ended'] })
  reason?: VisitEndReason;
}

export const AttendanceSchema = SchemaFactory.createForClass(Attendance);
AttendanceSchema.index({ sessionId: 1, socketId: 1, joinedAt: 1 }, { unique: true });
