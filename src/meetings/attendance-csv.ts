import type { AttendanceDto, SessionDto } from './dto/meetings.dto.js';

/**
 * CSV as spreadsheets read it (RFC 4180, CRLF line ends, a header row). A field is quoted
 * when it holds a comma, quote or line break; a field that a spreadsheet would run as a
 * formula (starting with = + - @, tab or carriage return) is prefixed with a quote mark, so
 * a display name cannot inject one.
 */
function field(value: string | number | boolean | null): string {
  if (value === null) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function table(header: readonly string[], rows: (string | number | boolean | null)[][]): string {
  return [header, ...rows].map((row) => row.map(field).join(',')).join('\r\n') + '\r\n';
}

function seconds(ms: number | null): number | null {
  return ms === null ? null : Math.round(ms / 1000);
}

function iso(date: Date | null): string | null {
  return date === null ? null : date.toISOString();
}

export const ATTENDANCE_CSV_COLUMNS = [
  'name',
  'user_id',
  'guest',
  'role',
  'joined_at',
  'left_at',
  'duration_seconds',
  'reason',
] as const;

export const SESSIONS_CSV_COLUMNS = [
  'session_id',
  'code',
  'title',
  'started_at',
  'ended_at',
  'duration_seconds',
  'peak_participants',
  'attendees',
  'visits',
] as const;

/** One row per visit, in order of arrival. */
export function attendanceCsv(attendance: readonly AttendanceDto[]): string {
  return table(
    ATTENDANCE_CSV_COLUMNS,
    attendance.map((visit) => [
      visit.name,
      visit.userId,
      visit.guest,
      visit.role,
      iso(visit.joinedAt),
      iso(visit.leftAt),
      seconds(visit.durationMs),
      visit.reason,
    ]),
  );
}

/** One row per session, newest first. */
export function sessionsCsv(sessions: readonly SessionDto[]): string {
  return table(
    SESSIONS_CSV_COLUMNS,
    sessions.map((session) => [
      session.id,
      session.code,
      session.title ?? null,
      iso(session.startedAt),
      iso(session.endedAt),
      seconds(session.durationMs),
      session.peakParticipants,
      session.attendees,
      session.visits,
    ]),
  );
}
