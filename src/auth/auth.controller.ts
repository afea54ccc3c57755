import { Body, Controller, HttpCode, HttpStatus, Post, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
  ApiBadRequestResponse,
} from '@nestjs/swagger';
import type { AuthenticatedUser } from './authenticated-user.js';
import { ClientAddress } from '../common/client-address.decorator.js';
import { CurrentUser } from './current-user.decorator.js';
import { ErrorEnvelopeDto } from '../common/error-envelope.dto.js';
import { Public } from './public.decorator.js';
import { RegisterDto } from '../users/dto/register.dto.js';
import { AuthRateLimitGuard } from './auth-rate-limit.guard.js';
import { AuthService } from './auth.service.js';
import { LoginResponseDto, RegisterResponseDto } from './dto/auth-responses.dto.js';
import { LoginDto } from './dto/login.dto.js';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @UseGuards(AuthRateLimitGuard)
  @Post('register')
  @ApiOperation({ summary: 'Create an account' })
  @ApiBody({ type: RegisterDto })
  @ApiCreatedResponse({ type: RegisterResponseDto })
  @ApiBadRequestResponse({ type: ErrorEnvelopeDto, description: 'Invalid fields (see details)' })
  @ApiConflictResponse({
    type: ErrorEnvelopeDto,
    description: 'Username taken (in any letter case)',
  })
  @ApiTooManyRequestsResponse({ type: ErrorEnvelopeDto })
  async register(@Body() body: RegisterDto): Promise<RegisterResponseDto> {
    const user = await this.auth.register(body);
    return { message: 'User registered successfully', user };
  }

  @Public()
  @UseGuards(AuthRateLimitGuard)
  @Post('login')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Sign in: returns a JWT access token' })
  @ApiBody({ type: LoginDto })
  @ApiOkResponse({ type: LoginResponseDto })
  @ApiUnauthorizedResponse({ type: ErrorEnvelopeDto, description: 'Invalid username or password' })
  @ApiTooManyRequestsResponse({
    type: ErrorEnvelopeDto,
    description: 'Too many attempts; see Retry-After',
  })
  async login(@Body() body: LoginDto, @ClientAddress() address: string): Promise<LoginResponseDto> {
    const issued = await this.auth.login(body.username, body.password, address);
    return { message: 'Login successful', ...issued };
  }

  @ApiBearerAuth()
  @Post('logout')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Revoke the presented token' })
  @ApiNoContentResponse()
  @ApiUnauthorizedResponse({ type: ErrorEnvelopeDto })
  async logout(@CurrentUser() user: AuthenticatedUser): Promise<void> {
    await this.auth.logout(user);
  }
}
