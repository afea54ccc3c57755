import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { type Model, Types } from 'mongoose';
import { Session } from './schemas/session.schema.js';

export interface ActiveSession {
  jti: string;
  userId: string;
  expiresAt: Date;
}

/** Persistence of sessions: one record per issued token. */
@Injectable()
export class SessionsRepository {
  constructor(@InjectModel(Session.name) private readonly sessions: Model<Session>) {}

  async create(session: ActiveSession): Promise<void> {
    await this.sessions.create({
      jti: session.jti,
      userId: new Types.ObjectId(session.userId),
      expiresAt: session.expiresAt,
    });
  }

  /** The session of `jti` if it exists and has not expired (the TTL sweep may lag). */
  async findActive(jti: string, now = new Date()): Promise<ActiveSession | null> {
    const session = await this.sessions
      .findOne({ jti, expiresAt: { $gt: now } })
      .lean<{ jti: string; userId: Types.ObjectId; expiresAt: Date }>()
      .exec();
    return session
      ? { jti: session.jti, userId: session.userId.toString(), expiresAt: session.expiresAt }
      : null;
  }

  async revoke(jti: string): Promise<boolean> {
    const result = await this.sessions.deleteOne({ jti }).exec();
    return result.deletedCount > 0;
  }
}
