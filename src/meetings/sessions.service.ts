import { ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import mongoose, { type Model, Types } from 'mongoose';
import type {
  AttendanceDto,
  SessionDetailDto,
  SessionDto,
  SessionPageDto,
} from './dto/meetings.dto.js';
import { toMeetingCode } from './meeting-codes.js';
import { Attendance } from './schemas/attendance.schema.js';
import { Meeting } from './schemas/meeting.schema.js';
import { MeetingSession } from './schemas/meeting-session.schema.js';

interface StoredSession extends MeetingSession {
  _id: Types.ObjectId;
}

interface StoredVisit extends Attendance {
  _id: Types.ObjectId;
}

function toVisit(visit: StoredVisit): AttendanceDto {
  const leftAt = visit.leftAt ?? null;
  return {
    name: visit.name,
    userId: visit.userId ? visit.userId.toString() : null,
    guest: visit.userId === undefined,
    role: visit.role,
    joinedAt: visit.joinedAt,
    leftAt,
    durationMs: leftAt ? leftAt.getTime() - visit.joinedAt.getTime() : null,
    reason: visit.reason ?? null,
  };
}

/** Different people among visits: an account once, each guest connection once. */
function attendeesOf(visits: readonly Pick<StoredVisit, 'userId' | 'socketId'>[]): number {
  return new Set(visits.map((visit) => visit.userId?.toString() ?? `guest:${visit.socketId}`)).size;
}

function toSession(
  session: StoredSession,
  visits: readonly Pick<StoredVisit, 'userId' | 'socketId'>[],
): SessionDto {
  const endedAt = session.endedAt ?? null;
  const dto: SessionDto = {
    id: session._id.toString(),
    code: session.code,
    startedAt: session.startedAt,
    endedAt,
    durationMs: endedAt ? endedAt.getTime() - session.startedAt.getTime() : null,
    live: endedAt === null,
    peakParticipants: session.peakParticipants,
    attendees: attendeesOf(visits),
    visits: visits.length,
  };
  if (session.title) dto.title = session.title;
  return dto;
}

/** Hosts' reports: a meeting's sessions and each session's attendance. */
@Injectable()
export class SessionsService {
  constructor(
    @InjectModel(Meeting.name) private readonly meetings: Model<Meeting>,
    @InjectModel(MeetingSession.name) private readonly sessions: Model<MeetingSession>,
    @InjectModel(Attendance.name) private readonly attendance: Model<Attendance>,
  ) {}

  /** A meeting's sessions, newest first: its host only (403), unknown meeting 404. */
  async sessionsPage(
    viewerId: string,
    rawCode: string,
    page: number,
    limit: number,
  ): Promise<SessionPageDto> {
    const code = await this.hostedCode(viewerId, rawCode);
    const [items, total] = await Promise.all([
      this.sessions
        .find({ code })
        .sort({ startedAt: -1, _id: -1 })
        .skip((page - 1) * limit)
        .limit(limit)
        .lean<StoredSession[]>()
        .exec(),
      this.sessions.countDocuments({ code }).exec(),
    ]);
    const visits = await this.attendance
      .find({ sessionId: { $in: items.map((item) => item._id) } })
      .select('sessionId userId socketId')
      .lean<StoredVisit[]>()
      .exec();
    const bySession = new Map<string, StoredVisit[]>();
    for (const visit of visits) {
      const key = visit.sessionId.toString();
      bySession.set(key, [...(bySession.get(key) ?? []), visit]);
    }
    return {
      items: items.map((item) => toSession(item, bySession.get(item._id.toString()) ?? [])),
      total,
      page,
      limit,
    };
  }

  /** One session of the meeting with its attendance (one entry per visit, by arrival). */
  async sessionDetail(
    viewerId: string,
    rawCode: string,
    sessionId: string,
  ): Promise<SessionDetailDto> {
    const code = await this.hostedCode(viewerId, rawCode);
    if (!/^[0-9a-f]{24}$/i.test(sessionId)) throw new NotFoundException('Session not found');
    const id = new Types.ObjectId(sessionId);
    const session = await this.sessions.findOne({ _id: id, code }).lean<StoredSession>().exec();
    if (!session) throw new NotFoundException('Session not found');
    const visits = await this.attendance
      .find({ sessionId: id })
      .sort({ joinedAt: 1, _id: 1 })
      .lean<StoredVisit[]>()
      .exec();
    return { ...toSession(session, visits), attendance: visits.map(toVisit) };
  }

  /** The meeting's code when `viewerId` hosts it; 404 unknown, 403 someone else's. */
  private async hostedCode(viewerId: string, rawCode: string): Promise<string> {
    const code = toMeetingCode(rawCode);
    if (code === undefined) throw new NotFoundException('Meeting not found');
    const meeting = await this.meetings.findOne({ code }).select('hostId').lean().exec();
    if (!meeting) throw new NotFoundException('Meeting not found');
    if (!mongoose.isValidObjectId(viewerId) || meeting.hostId.toString() !== viewerId) {
      throw new ForbiddenException("Only the meeting's host can see its sessions");
    }
    return code;
  }
}
