import {
  BadRequestException,
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  Patch,
  Post,
  Query,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiForbiddenResponse,
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
import { OptionalAuth } from '../auth/public.decorator.js';
import {
  AddHistoryEntryDto,
  CreateMeetingDto,
  HistoryEntryDto,
  HistoryPageDto,
  HostMeetingDto,
  MeetingDto,
  MeetingPageDto,
  PageQueryDto,
  UpdateMeetingDto,
} from './dto/meetings.dto.js';
import { MeetingsService } from './meetings.service.js';

@ApiTags('meetings')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ type: ErrorEnvelopeDto })
@ApiExtraModels(HostMeetingDto)
@Controller('meetings')
export class MeetingsController {
  constructor(private readonly meetings: MeetingsService) {}

  @Post()
  @ApiOperation({
    summary: 'Create a meeting with a generated code and its settings; you are its host',
  })
  @ApiCreatedResponse({ type: HostMeetingDto })
  create(
    @CurrentUser() user: AuthenticatedUser,
    @Body() body: CreateMeetingDto,
  ): Promise<HostMeetingDto> {
    return this.meetings.createMeeting(user.userId, body);
  }

  @Get()
  @ApiOperation({ summary: 'The meetings you host, newest first, paginated' })
  @ApiOkResponse({ type: MeetingPageDto })
  list(
    @CurrentUser() user: AuthenticatedUser,
    @Query() query: PageQueryDto,
  ): Promise<MeetingPageDto> {
    return this.meetings.hostedPage(user.userId, query.page, query.limit);
  }

  @Get('history')
  @ApiOperation({ summary: 'Your meeting history, newest first, paginated' })
  @ApiOkResponse({ type: HistoryPageDto })
  history(
    @CurrentUser() user: AuthenticatedUser,
    @Query() query: PageQueryDto,
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

  @OptionalAuth()
  @Get(':code')
  @ApiOperation({
    summary: "A meeting's public details (no sign-in needed: guests join by link)",
    description:
      'Codes are matched in any case. Never the passcode, except to its host signed in (Bearer), who gets the host view (HostMeetingDto). A token, if sent, must be valid.',
  })
  @ApiOkResponse({ type: MeetingDto })
  @ApiNotFoundResponse({ type: ErrorEnvelopeDto })
  find(
    @Param('code') code: string,
    @CurrentUser({ optional: true }) user?: AuthenticatedUser,
  ): Promise<MeetingDto | HostMeetingDto> {
    return this.meetings.findMeeting(code, user?.userId);
  }

  @Delete(':code/bans/:userId')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary: 'Lift a ban (its host only)',
    description: 'The account may join the meeting again. Lifting a ban that is not there is fine.',
  })
  @ApiNoContentResponse()
  @ApiForbiddenResponse({ type: ErrorEnvelopeDto, description: 'You are not its host' })
  @ApiNotFoundResponse({ type: ErrorEnvelopeDto })
  async unban(
    @CurrentUser() user: AuthenticatedUser,
    @Param('code') code: string,
    @Param('userId') userId: string,
  ): Promise<void> {
    await this.meetings.unbanUser(user.userId, code, userId);
  }

  @Delete(':code')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary: 'Delete a meeting (its host only)',
    description:
      'Everyone in its call or waiting room gets `meeting-ended` and is out, on every instance, before the answer. Its code then names an open room, like any unregistered code. History entries stay.',
  })
  @ApiNoContentResponse()
  @ApiForbiddenResponse({ type: ErrorEnvelopeDto, description: 'You are not its host' })
  @ApiNotFoundResponse({ type: ErrorEnvelopeDto })
  async remove(@CurrentUser() user: AuthenticatedUser, @Param('code') code: string): Promise<void> {
    await this.meetings.deleteMeeting(user.userId, code);
  }

  @Patch(':code')
  @ApiOperation({
    summary: "Change a meeting's settings (its host only)",
    description: 'Any of the fields; `passcode: null` removes the passcode. Empty body: 400.',
  })
  @ApiOkResponse({ type: HostMeetingDto })
  @ApiBadRequestResponse({ type: ErrorEnvelopeDto })
  @ApiForbiddenResponse({ type: ErrorEnvelopeDto, description: 'You are not its host' })
  @ApiNotFoundResponse({ type: ErrorEnvelopeDto })
  update(
    @CurrentUser() user: AuthenticatedUser,
    @Param('code') code: string,
    @Body() body: UpdateMeetingDto,
  ): Promise<HostMeetingDto> {
    if (
      body.passcode === undefined &&
      body.allowGuests === undefined &&
      body.muteOnEntry === undefined &&
      body.waitingRoom === undefined
    ) {
      throw new BadRequestException(
        'Nothing to change: send passcode, allowGuests, muteOnEntry or waitingRoom',
      );
    }
    return this.meetings.updateSettings(user.userId, code, body);
  }
}
