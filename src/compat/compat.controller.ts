import {
  BadRequestException,
  Body,
  Controller,
  ForbiddenException,
  Get,
  HttpCode,
  HttpStatus,
  Post,
  Query,
  UseGuards,
} from '@nestjs/common';
import {
  ApiBody,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { AuthRateLimitGuard } from '../auth/auth-rate-limit.guard.js';
import { AuthService } from '../auth/auth.service.js';
import { LoginResponseDto, RegisterResponseDto } from '../auth/dto/auth-responses.dto.js';
import { LoginDto } from '../auth/dto/login.dto.js';
import type { AuthenticatedUser } from '../auth/authenticated-user.js';
import { ClientAddress } from '../common/client-address.decorator.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { ErrorEnvelopeDto } from '../common/error-envelope.dto.js';
import { Public } from '../auth/public.decorator.js';
import type { HistoryEntryDto } from '../meetings/dto/meetings.dto.js';
import { MeetingsService } from '../meetings/meetings.service.js';
import { RegisterDto } from '../users/dto/register.dto.js';
import {
  CompatAddActivityDto,
  CompatAddActivityResponseDto,
  type CompatHistoryItemDto,
  CompatHistoryResponseDto,
  CompatTokenQueryDto,
} from './dto/compat.dto.js';

/** The original client lists at most this many history entries (newest first). */
export const COMPAT_HISTORY_LIMIT = 500;

function toCompatItem(entry: HistoryEntryDto): CompatHistoryItemDto {
  return { _id: entry.id, meetingCode: entry.meetingCode, date: entry.date };
}

/**
 * The original backend's routes under /api/v1/users, with its request and response shapes
 * and its token in the body or query (lifted into the Authorization header by
 * liftLegacyToken). Thin: every rule lives in AuthService and MeetingsService.
 */
@ApiTags('compatibility (original client)')
@Controller('users')
export class CompatController {
  constructor(
    private readonly auth: AuthService,
    private readonly meetings: MeetingsService,
  ) {}

  @Public()
  @UseGuards(AuthRateLimitGuard)
  @Post('register')
  @ApiOperation({ summary: 'Create an account (same as POST /auth/register)' })
  @ApiBody({ type: RegisterDto })
  @ApiCreatedResponse({ type: RegisterResponseDto })
  async register(@Body() body: RegisterDto): Promise<RegisterResponseDto> {
    const user = await this.auth.register(body);
    return { message: 'User registered successfully', user };
  }

  @Public()
  @UseGuards(AuthRateLimitGuard)
  @Post('login')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Sign in (same as POST /auth/login)' })
  @ApiBody({ type: LoginDto })
  @ApiOkResponse({ type: LoginResponseDto })
  async login(@Body() body: LoginDto, @ClientAddress() address: string): Promise<LoginResponseDto> {
    const issued = await this.auth.login(body.username, body.password, address);
    return { message: 'Login successful', ...issued };
  }

  @Post('add_to_activity')
  @ApiOperation({
    summary: 'Record a meeting in your history',
    description:
      'Body `{token, meetingId}` (existing client) or `{meetingCode}` / `{user_id, meetingCode}` with a Bearer token.',
  })
  @ApiCreatedResponse({ type: CompatAddActivityResponseDto })
  @ApiUnauthorizedResponse({ type: ErrorEnvelopeDto })
  @ApiForbiddenResponse({ type: ErrorEnvelopeDto, description: 'user_id names someone else' })
  async addToActivity(
    @CurrentUser() user: AuthenticatedUser,
    @Body() body: CompatAddActivityDto,
  ): Promise<CompatAddActivityResponseDto> {
    if (body.user_id !== undefined && body.user_id !== user.userId) {
      throw new ForbiddenException('user_id does not match the signed-in user');
    }
    const codes = [body.meetingId, body.meetingCode].filter((code) => code !== undefined);
    if (codes.length !== 1) {
      throw new BadRequestException('Exactly one of meetingId or meetingCode is required');
    }
    const entry = await this.meetings.addToHistory(user.userId, codes[0]);
    return { message: 'Meeting added to history', meeting: toCompatItem(entry) };
  }

  @Get('get_all_activity')
  @ApiOperation({ summary: `Your meeting history, newest first (at most ${COMPAT_HISTORY_LIMIT})` })
  @ApiOkResponse({ type: CompatHistoryResponseDto })
  @ApiUnauthorizedResponse({ type: ErrorEnvelopeDto })
  async getAllActivity(
    @CurrentUser() user: AuthenticatedUser,
    // Declared so the validator accepts ?token= (liftLegacyToken already read it).
    @Query() _query: CompatTokenQueryDto,
  ): Promise<CompatHistoryResponseDto> {
    const entries = await this.meetings.recentHistory(user.userId, COMPAT_HISTORY_LIMIT);
    return { meetings: entries.map(toCompatItem) };
  }
}
