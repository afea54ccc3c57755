import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import mongoose, { type Model, Types } from 'mongoose';
import { isDuplicateKeyError } from '../database/database-errors.js';
import { UsersService } from '../users/users.service.js';
import type { HistoryEntryDto, HistoryPageDto, MeetingDto } from './dto/meetings.dto.js';
import { generateMeetingCode } from './meeting-codes.js';
import { MeetingHistoryEntry } from './schemas/meeting-history-entry.schema.js';
import { Meeting } from './schemas/meeting.schema.js';

interface StoredEntry {
  _id: Types.ObjectId;
  meetingCode: string;
  date: Date;
}

interface StoredMeeting {
  code: string;
  title?: string;
  hostId: Types.ObjectId;
  createdAt: Date;
}

const CODE_ATTEMPTS = 5;

function toEntry(entry: StoredEntry): HistoryEntryDto {
  return { id: entry._id.toString(), meetingCode: entry.meetingCode, date: entry.date };
}

/** Meetings (codes and hosts) and each user's meeting history. */
@Injectable()
export class MeetingsService {
  constructor(
    @InjectModel(Meeting.name) private readonly meetings: Model<Meeting>,
    @InjectModel(MeetingHistoryEntry.name) private readonly history: Model<MeetingHistoryEntry>,
    private readonly users: UsersService,
  ) {}

  /** A meeting with a fresh unguessable code, hosted by `hostId`. */
  async createMeeting(hostId: string, title?: string): Promise<MeetingDto> {
    for (let attempt = 1; ; attempt++) {
      try {
        const created = await this.meetings.create({
          code: generateMeetingCode(),
          title,
          hostId: new Types.ObjectId(hostId),
        });
        return this.describe(created);
      } catch (error) {
        // A collision among 1.4e14 codes is rare; try again with another.
        if (!isDuplicateKeyError(error) || attempt >= CODE_ATTEMPTS) throw error;
      }
    }
  }

  async findMeeting(code: string): Promise<MeetingDto> {
    const meeting = await this.meetings.findOne({ code }).lean<StoredMeeting>().exec();
    if (!meeting) throw new NotFoundException('Meeting not found');
    return this.describe(meeting);
  }

  async addToHistory(userId: string, meetingCode: string): Promise<HistoryEntryDto> {
    const created = await this.history.create({
      userId: new Types.ObjectId(userId),
      meetingCode,
      date: new Date(),
    });
    return toEntry(created);
  }

  async historyPage(userId: string, page: number, limit: number): Promise<HistoryPageDto> {
    const filter = { userId: new Types.ObjectId(userId) };
    const [items, total] = await Promise.all([
      this.history
        .find(filter)
        .sort({ date: -1, _id: -1 })
        .skip((page - 1) * limit)
        .limit(limit)
        .lean<StoredEntry[]>()
        .exec(),
      this.history.countDocuments(filter).exec(),
    ]);
    return { items: items.map(toEntry), total, page, limit };
  }

  /** The newest `max` entries of a user's history, newest first. */
  async recentHistory(userId: string, max: number): Promise<HistoryEntryDto[]> {
    const items = await this.history
      .find({ userId: new Types.ObjectId(userId) })
      .sort({ date: -1, _id: -1 })
      .limit(max)
      .lean<StoredEntry[]>()
      .exec();
    return items.map(toEntry);
  }

  /** Deletes one of the user's own entries; anyone else's (or none) → 404. */
  async removeHistoryEntry(userId: string, entryId: string): Promise<void> {
    if (!mongoose.isValidObjectId(entryId)) throw new NotFoundException('History entry not found');
    const result = await this.history
      .deleteOne({ _id: new Types.ObjectId(entryId), userId: new Types.ObjectId(userId) })
      .exec();
    if (result.deletedCount === 0) throw new NotFoundException('History entry not found');
  }

  private async describe(meeting: StoredMeeting): Promise<MeetingDto> {
    const host = await this.users.findProfile(meeting.hostId.toString());
    const dto: MeetingDto = {
      code: meeting.code,
      hostName: host?.name ?? 'Unknown host',
      createdAt: meeting.createdAt,
    };
    if (meeting.title) dto.title = meeting.title;
    return dto;
  }
}
