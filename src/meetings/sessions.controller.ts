import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { AuthenticatedUser } from '../auth/authenticated-user.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { ErrorEnvelopeDto } from '../common/error-envelope.dto.js';
import { attendanceCsv, sessionsCsv } from './attendance-csv.js';
import {
  FormatQueryDto,
  SessionDetailDto,
  SessionPageDto,
  SessionsQueryDto,
} from './dto/meetings.dto.js';
import { SessionsService } from './sessions.service.js';

/** CSV when asked with `?format=csv`, or by `Accept` (preferred over JSON) without one. */
function wantsCsv(format: 'json' | 'csv' | undefined, request: Request): boolean {
  if (format !== undefined) return format === 'csv';
  return request.accepts(['application/json', 'text/csv']) === 'text/csv';
}

function sendCsv(response: Response, filename: string, csv: string): string {
  response.type('text/csv; charset=utf-8');
  response.setHeader('Content-Disposition', `attachment; filename="${filename}"`);
  return csv;
}

@ApiTags('meetings')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ type: ErrorEnvelopeDto })
@ApiForbiddenResponse({ type: ErrorEnvelopeDto, description: 'You are not its host' })
@ApiNotFoundResponse({ type: ErrorEnvelopeDto })
@ApiProduces('application/json', 'text/csv')
@Controller('meetings/:code/sessions')
export class SessionsController {
  constructor(private readonly sessions: SessionsService) {}

  @Get()
  @ApiOperation({
    summary: "A meeting's sessions, newest first, paginated (its host only)",
    description:
      'A session is one live period of the meeting: first participant in to last one out, or the host ending it. CSV with `?format=csv` or `Accept: text/csv` (columns: session_id, code, title, started_at, ended_at, duration_seconds, peak_participants, attendees, visits).',
  })
  @ApiOkResponse({ type: SessionPageDto })
  async list(
    @CurrentUser() user: AuthenticatedUser,
    @Param('code') code: string,
    @Query() query: SessionsQueryDto,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<SessionPageDto | string> {
    const page = await this.sessions.sessionsPage(user.userId, code, query.page, query.limit);
    if (!wantsCsv(query.format, request)) return page;
    return sendCsv(response, `${code.toLowerCase()}-sessions.csv`, sessionsCsv(page.items));
  }

  @Get(':id')
  @ApiOperation({
    summary: "One session's attendance (its meeting's host only)",
    description:
      'One entry per visit, in order of arrival (a reconnect within the grace window is the same visit). CSV with `?format=csv` or `Accept: text/csv` (columns: name, user_id, guest, role, joined_at, left_at, duration_seconds, reason).',
  })
  @ApiOkResponse({ type: SessionDetailDto })
  async detail(
    @CurrentUser() user: AuthenticatedUser,
    @Param('code') code: string,
    @Param('id') id: string,
    @Query() query: FormatQueryDto,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<SessionDetailDto | string> {
    const session = await this.sessions.sessionDetail(user.userId, code, id);
    if (!wantsCsv(query.format, request)) return session;
    const day = session.startedAt.toISOString().slice(0, 10);
    return sendCsv(
      response,
      `${session.code}-${day}-attendance.csv`,
      attendanceCsv(session.attendance),
    );
  }
}
