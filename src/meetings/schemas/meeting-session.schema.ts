import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { Types } from 'mongoose';

/**
 * One live period of a registered meeting: from its first participant in to its last one
 * out (or its host ending it). `_id` is the id the call gave the session when it opened.
 */
@Schema({ collection: 'meeting_sessions', versionKey: false })
export class MeetingSession {
  @Prop({ type: Types.ObjectId, required: true })
  _id!: Types.ObjectId;

  @Prop({ type: String, required: true })
  code!: string;

  @Prop({ type: String })
  title?: string;

  @Prop({ type: Date, required: true })
  startedAt!: Date;

  /** Unset while the session is live. */
  @Prop({ type: Date })
  endedAt?: Date;

  /** Most participants in the call at once (across every instance). */
  @Prop({ type: Number, required: true, default: 0 })
  peakParticipants!: number;

  /** The latest departure recorded so far: `endedAt` is never earlier than it. */
  @Prop({ type: Date })
  lastLeftAt?: Date;

  /** Without REDIS_URL: the instance that holds the session (its visits die with it). */
  @Prop({ type: String })
  instance?: string;
}

export const MeetingSessionSchema = SchemaFactory.createForClass(MeetingSession);
// A meeting's sessions, newest first.
MeetingSessionSchema.index({ code: 1, startedAt: -1 });
