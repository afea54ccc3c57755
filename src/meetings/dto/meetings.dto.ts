import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsString, Length, Max, Min, ValidateIf } from 'class-validator';
import { IsOptionalButNotNull } from '../../common/optional-not-null.decorator.js';
import { Trim } from '../../common/trim.transform.js';
import { ROOM_ID_MAX_LENGTH } from '../../signaling/protocol/limits.js';
import { IsMeetingCode } from './meeting-code.js';
import type { Role, WaitingRoomMode } from '../../signaling/protocol/events.js';
import type { VisitEndReason } from '../../signaling/call/call-recorder.js';

const WAITING_ROOM_MODES: WaitingRoomMode[] = ['off', 'guests', 'everyone'];

export const PASSCODE_MIN_LENGTH = 4;
export const PASSCODE_MAX_LENGTH = 32;

/**
 * A meeting passcode: a string of 4-32 characters taken exactly as sent (not trimmed: what
 * the host types is what joiners must type), or null for none. Left out: unchanged/none.
 */
function IsPasscodeOrNull(): PropertyDecorator {
  return (target: object, propertyKey: string | symbol) => {
    ValidateIf((_object: object, value: unknown) => value !== undefined && value !== null)(
      target,
      propertyKey,
    );
    IsString()(target, propertyKey);
    Length(PASSCODE_MIN_LENGTH, PASSCODE_MAX_LENGTH)(target, propertyKey);
  };
}

const PASSCODE_PROPERTY = {
  type: String,
  nullable: true,
  minLength: PASSCODE_MIN_LENGTH,
  maxLength: PASSCODE_MAX_LENGTH,
  example: 'blue-otter',
} as const;

/** The settings a host chooses; the same fields at creation and in PATCH. */
export class MeetingSettingsDto {
  @ApiPropertyOptional({
    ...PASSCODE_PROPERTY,
    description:
      'Joiners must give it (hosts are exempt). Exactly as sent, not trimmed; null: no passcode.',
  })
  @IsPasscodeOrNull()
  passcode?: string | null;

  @ApiPropertyOptional({ default: true, description: 'Whether guests (not signed in) may join' })
  @IsOptionalButNotNull()
  @IsBoolean()
  allowGuests?: boolean;

  @ApiPropertyOptional({ default: false, description: 'Joiners are asked to start muted' })
  @IsOptionalButNotNull()
  @IsBoolean()
  muteOnEntry?: boolean;

  @ApiPropertyOptional({
    enum: WAITING_ROOM_MODES,
    default: 'off',
    description: 'Who waits for a host to let them in: nobody, guests, or everyone but the host',
  })
  @IsOptionalButNotNull()
  @IsIn(WAITING_ROOM_MODES)
  waitingRoom?: WaitingRoomMode;
}

export class CreateMeetingDto extends MeetingSettingsDto {
  @ApiPropertyOptional({ example: 'Weekly sync', maxLength: 200 })
  @IsOptionalButNotNull()
  @Trim()
  @IsString()
  @Length(1, 200)
  title?: string;
}

/** At least one field (an empty body is refused). */
export class UpdateMeetingDto extends MeetingSettingsDto {}

/** What anyone may know about a meeting: nothing secret, not the host's id. */
export class MeetingDto {
  @ApiProperty({ example: 'abc-defg-hij' })
  code!: string;

  @ApiPropertyOptional({ example: 'Weekly sync' })
  title?: string;

  @ApiProperty({ example: 'Ada Lovelace', description: "The host's display name" })
  hostName!: string;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt!: Date;

  @ApiProperty({ description: 'Whether joiners must give a passcode' })
  passcodeRequired!: boolean;

  @ApiProperty({ description: 'Whether guests (not signed in) may join' })
  allowGuests!: boolean;

  @ApiProperty({ description: 'Whether joiners are asked to start muted' })
  muteOnEntry!: boolean;

  @ApiProperty({ enum: WAITING_ROOM_MODES, description: 'Who waits for a host to let them in' })
  waitingRoom!: WaitingRoomMode;

  @ApiProperty({ description: 'Whether anyone is in the call right now' })
  live!: boolean;
}

/** The host's view of their meeting: the public view and the passcode. */
export class HostMeetingDto extends MeetingDto {
  @ApiProperty({ ...PASSCODE_PROPERTY, description: 'The passcode, or null when there is none' })
  passcode!: string | null;

  @ApiProperty({
    type: [String],
    description: 'Accounts banned from this meeting (lift with DELETE …/bans/:userId)',
  })
  bannedUserIds!: string[];
}

export class MeetingPageDto {
  @ApiProperty({ type: [HostMeetingDto] })
  items!: HostMeetingDto[];

  @ApiProperty({ example: 3, description: 'Meetings you host in all' })
  total!: number;

  @ApiProperty({ example: 1 })
  page!: number;

  @ApiProperty({ example: 20 })
  limit!: number;
}

export class AddHistoryEntryDto {
  @ApiProperty({ example: 'abc-defg-hij', minLength: 1, maxLength: ROOM_ID_MAX_LENGTH })
  @IsMeetingCode()
  meetingCode!: string;
}

/** `page` and `limit` of a paginated list (history, your meetings). */
export class PageQueryDto {
  @ApiPropertyOptional({ default: 1, minimum: 1 })
  @IsOptionalButNotNull()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100_000)
  page = 1;

  @ApiPropertyOptional({ default: 20, minimum: 1, maximum: 100 })
  @IsOptionalButNotNull()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit = 20;
}

export class HistoryEntryDto {
  @ApiProperty({ example: '6650f0c2a1b2c3d4e5f60718' })
  id!: string;

  @ApiProperty({ example: 'abc-defg-hij' })
  meetingCode!: string;

  @ApiProperty({
    type: String,
    format: 'date-time',
    description: 'When you joined (recorded entries: your first visit of the session)',
  })
  date!: Date;

  @ApiPropertyOptional({
    example: '6650f0c2a1b2c3d4e5f60719',
    description:
      'The meeting session you attended: present on entries the call recorded (registered meetings), absent on entries added with POST /history',
  })
  sessionId?: string;

  @ApiPropertyOptional({ example: 'Weekly sync' })
  title?: string;

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'When your last visit of the session ended; null while you are in it',
  })
  leftAt?: Date | null;

  @ApiPropertyOptional({
    example: 1830000,
    nullable: true,
    description: 'How long you stayed (ms, from joining to leaving); null while you are in it',
  })
  durationMs?: number | null;

  @ApiPropertyOptional({
    description: 'You hosted it: its attendance is at /meetings/{code}/sessions/{sessionId}',
  })
  hosted?: boolean;
}

export class HistoryPageDto {
  @ApiProperty({ type: [HistoryEntryDto] })
  items!: HistoryEntryDto[];

  @ApiProperty({ example: 42, description: 'Entries in the whole history' })
  total!: number;

  @ApiProperty({ example: 1 })
  page!: number;

  @ApiProperty({ example: 20 })
  limit!: number;
}

/** `?format=csv` (or `Accept: text/csv`) on the session routes, besides the page. */
export class SessionsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: ['json', 'csv'], default: 'json' })
  @IsOptionalButNotNull()
  @IsIn(['json', 'csv'])
  format?: 'json' | 'csv';
}

export class FormatQueryDto {
  @ApiPropertyOptional({ enum: ['json', 'csv'], default: 'json' })
  @IsOptionalButNotNull()
  @IsIn(['json', 'csv'])
  format?: 'json' | 'csv';
}

export class SessionDto {
  @ApiProperty({ example: '6650f0c2a1b2c3d4e5f60719' })
  id!: string;

  @ApiProperty({ example: 'abc-defg-hij' })
  code!: string;

  @ApiPropertyOptional({ example: 'Weekly sync' })
  title?: string;

  @ApiProperty({ type: String, format: 'date-time' })
  startedAt!: Date;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'null while live',
  })
  endedAt!: Date | null;

  @ApiProperty({ example: 3540000, nullable: true, description: 'ms; null while live' })
  durationMs!: number | null;

  @ApiProperty({ description: 'The session is going on now' })
  live!: boolean;

  @ApiProperty({ example: 5, description: 'Most participants in the call at once' })
  peakParticipants!: number;

  @ApiProperty({
    example: 6,
    description: 'Different people who came (accounts, and each guest connection)',
  })
  attendees!: number;

  @ApiProperty({
    example: 8,
    description: 'Visits (a reconnect within the grace window is the same visit)',
  })
  visits!: number;
}

export class SessionPageDto {
  @ApiProperty({ type: [SessionDto] })
  items!: SessionDto[];

  @ApiProperty({ example: 12 })
  total!: number;

  @ApiProperty({ example: 1 })
  page!: number;

  @ApiProperty({ example: 20 })
  limit!: number;
}

export class AttendanceDto {
  @ApiProperty({ example: 'Ada' })
  name!: string;

  @ApiProperty({
    example: '6650f0c2a1b2c3d4e5f60700',
    nullable: true,
    description: 'null for guests',
  })
  userId!: string | null;

  @ApiProperty()
  guest!: boolean;

  @ApiProperty({ enum: ['host', 'cohost', 'participant'] })
  role!: Role;

  @ApiProperty({ type: String, format: 'date-time' })
  joinedAt!: Date;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'null while in the call',
  })
  leftAt!: Date | null;

  @ApiProperty({ example: 1830000, nullable: true, description: 'ms; null while in the call' })
  durationMs!: number | null;

  @ApiProperty({
    enum: ['left', 'removed', 'disconnected', 'meeting-ended'],
    nullable: true,
    description: 'How the visit ended; null while in the call',
  })
  reason!: VisitEndReason | null;
}

export class SessionDetailDto extends SessionDto {
  @ApiProperty({ type: [AttendanceDto], description: 'One per visit, in order of arrival' })
  attendance!: AttendanceDto[];
}
