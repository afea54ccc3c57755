import { ApiProperty } from '@nestjs/swagger';
import { UserProfileDto } from '../../users/dto/user-profile.dto.js';

export class RegisterResponseDto {
  @ApiProperty({ example: 'User registered successfully' })
  message!: string;

  @ApiProperty({ type: UserProfileDto })
  user!: UserProfileDto;
}

export class LoginResponseDto {
  @ApiProperty({ example: 'Login successful' })
  message!: string;

  @ApiProperty({ description: 'JWT access token (HS256); send as `Authorization: Bearer <token>`' })
  token!: string;

  @ApiProperty({ type: String, format: 'date-time' })
  expiresAt!: Date;

  @ApiProperty({ type: UserProfileDto })
  user!: UserProfileDto;
}
