import {
  ForbiddenException,
  Inject,
  Injectable,
  Logger,
  NotFoundException,
  Optional,
} from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import mongoose, { type Model, Types } from 'mongoose';
import { createHash, timingSafeEqual } from 'node:crypto';
import { isDuplicateKeyError } from '../database/database-errors.js';
import { UsersService } from '../users/users.service.js';
import type {
  HistoryEntryDto,
  HistoryPageDto,
  HostMeetingDto,
  MeetingDto,
  MeetingPageDto,
} from './dto/meetings.dto.js';
import { generateMeetingCode, toMeetingCode } from './meeting-codes.js';
import { MEETING_PRESENCE, type MeetingPresence } from './meeting-presence.js';
import { MeetingHistoryEntry } from './schemas/meeting-history-entry.schema.js';
import { Meeting } from './schemas/meeting.schema.js';
import type { WaitingRoomMode } from '../signaling/protocol/events.js';
import type {
  MeetingDeletedListener,
  MeetingJoinRules,
  MeetingRules,
} from '../signaling/call/meeting-rules.js';

interface StoredEntry {
  _id: Types.ObjectId;
  meetingCode: string;
  date: Date;
  sessionId?: Types.ObjectId;
  title?: string;
  leftAt?: Date;
  hosted?: boolean;
}

interface StoredMeeting {
  code: string;
  title?: string;
  hostId: Types.ObjectId;
  createdAt: Date;
  /** Only when selected with `+passcode`. */
  passcode?: string;
  /** Missing on meetings stored before the settings existed: see `settingsOf`. */
  allowGuests?: boolean;
  muteOnEntry?: boolean;
  waitingRoom?: WaitingRoomMode;
  /** Only when selected with `+bannedUserIds`. */
  bannedUserIds?: Types.ObjectId[];
}

/** A meeting's settings as chosen by its host; null passcode: none. */
export interface MeetingSettings {
  passcode?: string | null;
  allowGuests?: boolean;
  muteOnEntry?: boolean;
  waitingRoom?: WaitingRoomMode;
}

/** The fields a host's view needs, passcode included (it is `select: false`). */
const HOST_VIEW_FIELDS =
  'code title hostId createdAt allowGuests muteOnEntry waitingRoom +passcode +bannedUserIds';

function settingsOf(meeting: StoredMeeting): {
  allowGuests: boolean;
  muteOnEntry: boolean;
  waitingRoom: WaitingRoomMode;
} {
  return {
    allowGuests: meeting.allowGuests ?? true,
    muteOnEntry: meeting.muteOnEntry ?? false,
    waitingRoom: meeting.waitingRoom ?? 'off',
  };
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

function passcodeMatcher(passcode: string | undefined): (candidate: string) => boolean {
  if (passcode === undefined) return () => true;
  const expected = sha256(passcode);
  return (candidate: string) =>
    typeof candidate === 'string' && timingSafeEqual(sha256(candidate), expected);
}

const CODE_ATTEMPTS = 5;

function toEntry(entry: StoredEntry): HistoryEntryDto {
  const dto: HistoryEntryDto = {
    id: entry._id.toString(),
    meetingCode: entry.meetingCode,
    date: entry.date,
  };
  // Recorded by the call: the session, its title, how long the user stayed.
  if (entry.sessionId) {
    dto.sessionId = entry.sessionId.toString();
    if (entry.title) dto.title = entry.title;
    dto.leftAt = entry.leftAt ?? null;
    dto.durationMs = entry.leftAt ? entry.leftAt.getTime() - entry.date.getTime() : null;
    dto.hosted = entry.hosted === true;
  }
  return dto;
}

/** Meetings (codes, hosts and settings) and each user's meeting history. */
@Injectable()
export class MeetingsService implements MeetingRules {
  private readonly logger = new Logger(MeetingsService.name);
  private readonly deletedListeners = new Set<MeetingDeletedListener>();
  private readonly settingsListeners = new Set<MeetingDeletedListener>();

  constructor(
    @InjectModel(Meeting.name) private readonly meetings: Model<Meeting>,
    @InjectModel(MeetingHistoryEntry.name) private readonly history: Model<MeetingHistoryEntry>,
    private readonly users: UsersService,
    @Optional()
    @Inject(MEETING_PRESENCE)
    private readonly presence?: MeetingPresence,
  ) {}

  /** A meeting with a fresh unguessable code, hosted by `hostId`: the host's view. */
  async createMeeting(
    hostId: string,
    options: MeetingSettings & { title?: string } = {},
  ): Promise<HostMeetingDto> {
    for (let attempt = 1; ; attempt++) {
      try {
        const created = await this.meetings.create({
          code: generateMeetingCode(),
          title: options.title,
          hostId: new Types.ObjectId(hostId),
          passcode: options.passcode ?? undefined,
          allowGuests: options.allowGuests,
          muteOnEntry: options.muteOnEntry,
          waitingRoom: options.waitingRoom,
        });
        return this.describeForHost(created.toObject<StoredMeeting>());
      } catch (error) {
        // A collision among 1.4e14 codes is rare; try again with another.
        if (!isDuplicateKeyError(error) || attempt >= CODE_ATTEMPTS) throw error;
      }
    }
  }

  /**
   * A meeting by code (any case, or its URL): the public view, or the host's view when
   * `viewerId` is its host. Unknown → 404.
   */
  async findMeeting(rawCode: string, viewerId?: string): Promise<MeetingDto | HostMeetingDto> {
    const code = toMeetingCode(rawCode);
    if (code === undefined) throw new NotFoundException('Meeting not found');
    const meeting = await this.meetings
      .findOne({ code })
      .select(HOST_VIEW_FIELDS)
      .lean<StoredMeeting>()
      .exec();
    if (!meeting) throw new NotFoundException('Meeting not found');
    return viewerId !== undefined && meeting.hostId.toString() === viewerId
      ? this.describeForHost(meeting)
      : this.describe(meeting);
  }

  /** Changes a meeting's settings: its host only (403), unknown code 404. The host's view. */
  async updateSettings(
    hostId: string,
    rawCode: string,
    settings: MeetingSettings,
    options: { quiet?: boolean } = {},
  ): Promise<HostMeetingDto> {
    const code = toMeetingCode(rawCode);
    if (code === undefined) throw new NotFoundException('Meeting not found');
    const set: Record<string, unknown> = {};
    const unset: Record<string, 1> = {};
    if (settings.passcode === null) unset.passcode = 1;
    else if (settings.passcode !== undefined) set.passcode = settings.passcode;
    if (settings.allowGuests !== undefined) set.allowGuests = settings.allowGuests;
    if (settings.muteOnEntry !== undefined) set.muteOnEntry = settings.muteOnEntry;
    if (settings.waitingRoom !== undefined) set.waitingRoom = settings.waitingRoom;
    const updated = mongoose.isValidObjectId(hostId)
      ? await this.meetings
          .findOneAndUpdate(
            { code, hostId: new Types.ObjectId(hostId) },
            { $set: set, $unset: unset },
            { returnDocument: 'after', runValidators: true },
          )
          .select(HOST_VIEW_FIELDS)
          .lean<StoredMeeting>()
          .exec()
      : null;
    if (!updated) {
      const exists = await this.meetings.exists({ code }).exec();
      if (!exists) throw new NotFoundException('Meeting not found');
      throw new ForbiddenException('Only the host can change this meeting');
    }
    if (!options.quiet) {
      // Which settings changed, never their values (a passcode is a secret).
      this.logger.log(
        `update-settings by user ${hostId} in ${code}: ${Object.keys(settings).join(', ')}`,
      );
      await this.notify(this.settingsListeners, code, hostId, 'its settings changed');
    }
    return this.describeForHost(updated);
  }

  /** The meetings `hostId` hosts, newest first: host views. */
  async hostedPage(hostId: string, page: number, limit: number): Promise<MeetingPageDto> {
    const filter = { hostId: new Types.ObjectId(hostId) };
    const [items, total] = await Promise.all([
      this.meetings
        .find(filter)
        .select(HOST_VIEW_FIELDS)
        .sort({ createdAt: -1, _id: -1 })
        .skip((page - 1) * limit)
        .limit(limit)
        .lean<StoredMeeting[]>()
        .exec(),
      this.meetings.countDocuments(filter).exec(),
    ]);
    const hostName = await this.hostName(hostId);
    return {
      items: await Promise.all(items.map((item) => this.describeForHost(item, hostName))),
      total,
      page,
      limit,
    };
  }

  /**
   * The rules for joining the room `roomId` (as `normalizeRoomId` gives it; any case), or
   * undefined when it is not a registered meeting (an open room). One indexed, lean read.
   */
  async joinRules(roomId: string): Promise<MeetingJoinRules | undefined> {
    const code = toMeetingCode(roomId);
    if (code === undefined) return undefined;
    const meeting = await this.meetings
      .findOne({ code })
      .select('code title hostId allowGuests muteOnEntry waitingRoom +passcode +bannedUserIds')
      .lean<StoredMeeting>()
      .exec();
    if (!meeting) return undefined;
    return {
      code: meeting.code,
      ...(meeting.title ? { title: meeting.title } : {}),
      hostId: meeting.hostId.toString(),
      ...settingsOf(meeting),
      passcodeRequired: meeting.passcode !== undefined,
      passcodeMatches: passcodeMatcher(meeting.passcode),
      isBanned: (userId: string) =>
        (meeting.bannedUserIds ?? []).some((banned) => banned.toString() === userId),
    };
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

  private async hostName(hostId: string): Promise<string> {
    return (await this.users.findProfile(hostId))?.name ?? 'Unknown host';
  }

  /** The public view: never the passcode, never the host's id. */
  private async describe(meeting: StoredMeeting, hostName?: string): Promise<MeetingDto> {
    const [name, live] = await Promise.all([
      hostName ?? this.hostName(meeting.hostId.toString()),
      this.presence ? this.presence.isLive(meeting.code) : false,
    ]);
    const dto: MeetingDto = {
      code: meeting.code,
      hostName: name,
      createdAt: meeting.createdAt,
      passcodeRequired: typeof meeting.passcode === 'string',
      ...settingsOf(meeting),
      live,
    };
    if (meeting.title) dto.title = meeting.title;
    return dto;
  }

  /** The host's view: the public one and the passcode (null: none). */
  private async describeForHost(
    meeting: StoredMeeting,
    hostName?: string,
  ): Promise<HostMeetingDto> {
    return {
      ...(await this.describe(meeting, hostName)),
      passcode: meeting.passcode ?? null,
      bannedUserIds: (meeting.bannedUserIds ?? []).map((id) => id.toString()),
    };
  }

  /**
   * Deletes a meeting: its host only (403), unknown code 404. Its live session ends for
   * everyone (the listeners: the call side) before the answer; its users' history stays.
   */
  async deleteMeeting(hostId: string, rawCode: string): Promise<void> {
    const code = toMeetingCode(rawCode);
    if (code === undefined) throw new NotFoundException('Meeting not found');
    const deleted = mongoose.isValidObjectId(hostId)
      ? await this.meetings.deleteOne({ code, hostId: new Types.ObjectId(hostId) }).exec()
      : { deletedCount: 0 };
    if (deleted.deletedCount === 0) {
      const exists = await this.meetings.exists({ code }).exec();
      if (!exists) throw new NotFoundException('Meeting not found');
      throw new ForbiddenException('Only the host can delete this meeting');
    }
    // The meeting is gone whatever happens there; a session that could not be ended now
    // (the registry unreachable) is an open room its people may leave.
    await this.notify(this.deletedListeners, code, hostId, 'it was deleted');
  }

  onDeleted(listener: MeetingDeletedListener): () => void {
    this.deletedListeners.add(listener);
    return () => this.deletedListeners.delete(listener);
  }

  onSettingsChanged(listener: MeetingDeletedListener): () => void {
    this.settingsListeners.add(listener);
    return () => this.settingsListeners.delete(listener);
  }

  /** Tells the live session (the call side) what the host did; its failure is only logged. */
  private async notify(
    listeners: Set<MeetingDeletedListener>,
    code: string,
    hostId: string,
    what: string,
  ): Promise<void> {
    for (const listener of listeners) {
      await listener(code, hostId).catch((error: unknown) => {
        this.logger.warn(
          `meeting ${code}: ${what}, but its live session could not follow: ${String((error as Error).message)}`,
        );
      });
    }
  }

  /** Bans an account from a meeting (the signaling side checked that a host asked). */
  async banUser(code: string, userId: string): Promise<void> {
    if (!mongoose.isValidObjectId(userId)) return;
    await this.meetings
      .updateOne({ code }, { $addToSet: { bannedUserIds: new Types.ObjectId(userId) } })
      .exec();
  }

  /** Lifts a ban: the meeting's host only (403), unknown meeting 404; lifting none is fine. */
  async unbanUser(hostId: string, rawCode: string, userId: string): Promise<void> {
    const code = toMeetingCode(rawCode);
    if (code === undefined) throw new NotFoundException('Meeting not found');
    const meeting = await this.meetings.findOne({ code }).select('hostId').lean().exec();
    if (!meeting) throw new NotFoundException('Meeting not found');
    if (meeting.hostId.toString() !== hostId) {
      throw new ForbiddenException('Only the host can lift a ban');
    }
    if (!mongoose.isValidObjectId(userId)) return;
    await this.meetings
      .updateOne({ code }, { $pull: { bannedUserIds: new Types.ObjectId(userId) } })
      .exec();
    this.logger.log(`lift-ban by user ${hostId} in ${code} on user ${userId}`);
  }
}
