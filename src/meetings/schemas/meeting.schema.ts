import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { Types } from 'mongoose';

/** A meeting created through the API: its code, who hosts it and its settings. */
@Schema({ collection: 'meetings', timestamps: { createdAt: true, updatedAt: false } })
export class Meeting {
  @Prop({ type: String, required: true, unique: true })
  code!: string;

  @Prop({ type: String, trim: true, maxlength: 200 })
  title?: string;

  @Prop({ type: Types.ObjectId, required: true })
  hostId!: Types.ObjectId;

  /**
   * Stored as given (the host must be able to read it back), never selected unless asked for
   * (`+passcode`), so no query leaks it by accident. The API checks 4-32 characters; 64 here
   * because a character outside the BMP is two UTF-16 units.
   */
  @Prop({ type: String, select: false, minlength: 4, maxlength: 64 })
  passcode?: string;

  /** Meetings stored before the settings existed lack these: read them with the defaults. */
  @Prop({ type: Boolean, default: true })
  allowGuests!: boolean;

  @Prop({ type: Boolean, default: false })
  muteOnEntry!: boolean;

  @Prop({ type: String, enum: ['off', 'guests', 'everyone'], default: 'off' })
  waitingRoom!: 'off' | 'guests' | 'everyone';

  /** Accounts its host removed with a ban: refused until the host lifts it. */
  @Prop({ type: [Types.ObjectId], default: [], select: false })
  bannedUserIds!: Types.ObjectId[];

  createdAt!: Date;
}

export const MeetingSchema = SchemaFactory.createForClass(Meeting);
// A host's meetings, newest first (also serves any lookup by host).
MeetingSchema.index({ hostId: 1, createdAt: -1 });
