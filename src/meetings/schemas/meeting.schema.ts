import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { Types } from 'mongoose';

/** A meeting created through the API: its code and who hosts it. */
@Schema({ collection: 'meetings', timestamps: { createdAt: true, updatedAt: false } })
export class Meeting {
  @Prop({ type: String, required: true, unique: true })
  code!: string;

  @Prop({ type: String, trim: true, maxlength: 200 })
  title?: string;

  @Prop({ type: Types.ObjectId, required: true, index: true })
  hostId!: Types.ObjectId;

  createdAt!: Date;
}

export const MeetingSchema = SchemaFactory.createForClass(Meeting);
