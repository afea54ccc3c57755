import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  Post,
  Query,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { AuthenticatedUser } from '../auth/authenticated-user.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { ErrorEnvelopeDto } from '../common/error-envelope.dto.js';
import { Public } from '../auth/public.decorator.js';
import {
  AddHistoryEntryDto,
  CreateMeetingDto,
  HistoryEntryDto,
  HistoryPageDto,
  HistoryQueryDto,
  MeetingDto,
} from './dto/meetings.dto.js';
import { MeetingsService } from './meetings.service.js';

@ApiTags('meetings')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ type: ErrorEnvelopeDto })
@Controller('meetings')
export class MeetingsController {
  constructor(private readonly meetings: MeetingsService) {}

  @Post()
  @ApiOperation({ summary: 'Create a meeting with a generated code; you are its host' })
  @ApiCreatedResponse({ type: MeetingDto })
  create(
    @CurrentUser() user: AuthenticatedUser,
    @Body() body: CreateMeetingDto,
  ): Promise<MeetingDto> {
    return this.meetings.createMeeting(user.userId, body.title);
  }

  @Get('history')
  @ApiOperation({ summary: 'Your meeting history, newest first, paginated' })
  @ApiOkResponse({ type: HistoryPageDto })
  history(
    @CurrentUser() user: AuthenticatedUser,
    @Query() query: HistoryQueryDto,
  ): Promise<HistoryPageDto> {
    return this.meetings.historyPage(user.userId, query.page, query.limit);
  }

  @Post('history')
  @ApiOperation({ summary: 'Record that you attended a meeting' })
  @ApiCreatedResponse({ type: HistoryEntryDto })
  addToHistory(
    @CurrentUser() user: AuthenticatedUser,
    @Body() body: AddHistoryEntryDto,
  ): Promise<HistoryEntryDto> {
    return this.meetings.addToHistory(user.userId, body.meetingCode);
  }

  @Delete('history/:id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Remove one of your history entries' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ErrorEnvelopeDto, description: 'No such entry of yours' })
  async removeFromHistory(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id') id: string,
  ): Promise<void> {
    await this.meetings.removeHistoryEntry(user.userId, id);
  }

  @Public()
  @Get(':code')
  @ApiOperation({ summary: "A meeting's public details (no sign-in needed: guests join by link)" })
  @ApiOkResponse({ type: MeetingDto })
  @ApiNotFoundResponse({ type: ErrorEnvelopeDto })
  find(@Param('code') code: string): Promise<MeetingDto> {
    return this.meetings.findMeeting(code);
  }
}
