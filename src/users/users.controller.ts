import { Controller, Get, NotFoundException } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { ErrorEnvelopeDto } from '../common/error-envelope.dto.js';
import type { AuthenticatedUser } from '../auth/authenticated-user.js';
import { UserProfileDto } from './dto/user-profile.dto.js';
import { UsersService } from './users.service.js';

@ApiTags('users')
@ApiBearerAuth()
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get('me')
  @ApiOperation({ summary: "The signed-in user's profile" })
  @ApiOkResponse({ type: UserProfileDto })
  @ApiUnauthorizedResponse({ type: ErrorEnvelopeDto })
  async me(@CurrentUser() user: AuthenticatedUser): Promise<UserProfileDto> {
    const profile = await this.users.findProfile(user.userId);
    if (!profile) throw new NotFoundException('User not found');
    return profile;
  }
}
