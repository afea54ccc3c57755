import { ConflictException, Injectable, type OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectModel } from '@nestjs/mongoose';
import bcrypt from 'bcrypt';
import { randomBytes } from 'node:crypto';
import mongoose, { type Model } from 'mongoose';
import type { AppConfig } from '../config/configuration.js';
import { isDuplicateKeyError } from '../database/database-errors.js';
import type { UserProfileDto } from './dto/user-profile.dto.js';
import { User } from './schemas/user.schema.js';

export interface NewUser {
  name: string;
  username: string;
  password: string;
}

interface StoredUser {
  _id: { toString(): string };
  name: string;
  username: string;
  createdAt: Date;
}

export function usernameKeyOf(username: string): string {
  return username.toLowerCase();
}

export function toProfile(user: StoredUser): UserProfileDto {
  return {
    id: user._id.toString(),
    name: user.name,
    username: user.username,
    createdAt: user.createdAt,
  };
}

/**
 * Accounts. The only code that sees password hashes: it hashes on creation and compares on
 * sign-in, and hands out profiles only.
 */
@Injectable()
export class UsersService implements OnModuleInit {
  private readonly bcryptRounds: number;
  /** Compared against when the username does not exist, so both failures take as long. */
  private dummyHash = '';

  constructor(
    @InjectModel(User.name) private readonly users: Model<User>,
    config: ConfigService<AppConfig, true>,
  ) {
    this.bcryptRounds = config.get('auth', { infer: true }).bcryptRounds;
  }

  async onModuleInit(): Promise<void> {
    this.dummyHash = await bcrypt.hash(randomBytes(16).toString('hex'), this.bcryptRounds);
  }

  /** Creates an account; a taken username (in any letter case) → 409. */
  async create(input: NewUser): Promise<UserProfileDto> {
    const passwordHash = await bcrypt.hash(input.password, this.bcryptRounds);
    try {
      const created = await this.users.create({
        name: input.name,
        username: input.username,
        usernameKey: usernameKeyOf(input.username),
        passwordHash,
      });
      return toProfile(created);
    } catch (error) {
      if (isDuplicateKeyError(error)) {
        throw new ConflictException('Username is already taken');
      }
      throw error;
    }
  }

  /** The profile when the password matches, else null (same cost whether the user exists or not). */
  async verifyCredentials(username: string, password: string): Promise<UserProfileDto | null> {
    const user = await this.users
      .findOne({ usernameKey: usernameKeyOf(username) })
      .select('+passwordHash')
      .lean<StoredUser & { passwordHash: string }>()
      .exec();
    const matches = await bcrypt.compare(password, user?.passwordHash ?? this.dummyHash);
    return user && matches ? toProfile(user) : null;
  }

  async findProfile(id: string): Promise<UserProfileDto | null> {
    if (!mongoose.isValidObjectId(id)) return null;
    const user = await this.users.findById(id).lean<StoredUser>().exec();
    return user ? toProfile(user) : null;
  }
}
