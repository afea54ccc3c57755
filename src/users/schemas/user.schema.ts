import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { ACCOUNT_NAME_MAX_LENGTH } from '../../signaling/protocol/limits.js';

/** Removes what must never leave the Users module from every serialised user. */
function hidePrivateFields(_doc: unknown, ret: Record<string, unknown>): Record<string, unknown> {
  delete ret.passwordHash;
  delete ret.usernameKey;
  delete ret.__v;
  return ret;
}

@Schema({
  collection: 'users',
  timestamps: true,
  toJSON: { transform: hidePrivateFields },
  toObject: { transform: hidePrivateFields },
})
export class User {
  @Prop({ type: String, required: true, trim: true, maxlength: ACCOUNT_NAME_MAX_LENGTH })
  name!: string;

  /** As the user typed it (shown to others). */
  @Prop({ type: String, required: true })
  username!: string;

  /** Lower-cased username: the unique index that makes usernames case-insensitive. */
  @Prop({ type: String, required: true, unique: true })
  usernameKey!: string;

  /** bcrypt hash; not selected unless asked for, never serialised. */
  @Prop({ type: String, required: true, select: false })
  passwordHash!: string;

  createdAt!: Date;
  updatedAt!: Date;
}

export const UserSchema = SchemaFactory.createForClass(User);
