import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches, MinLength } from 'class-validator';
import { Trim } from '../../common/trim.transform.js';
import { ACCOUNT_NAME_MAX_LENGTH } from '../../signaling/protocol/limits.js';
import { MAX_PASSWORD_BYTES, MaxUtf8Bytes } from './password.validator.js';

/** 1 to ACCOUNT_NAME_MAX_LENGTH UTF-16 units (no `u` flag: a surrogate pair counts two). */
const ACCOUNT_NAME_PATTERN = new RegExp(`^[\\s\\S]{1,${ACCOUNT_NAME_MAX_LENGTH}}$`);

export const USERNAME_PATTERN = /^[A-Za-z0-9._-]{3,32}$/;

export class RegisterDto {
  @ApiProperty({
    example: 'Ada Lovelace',
    minLength: 1,
    maxLength: ACCOUNT_NAME_MAX_LENGTH,
    description: 'Display name (trimmed)',
  })
  @Trim()
  @IsString()
  // Counted in UTF-16 units, as the database's schema counts it (class-validator's Length
  // counts code points, so 60 emoji would pass here and then fail to be stored).
  @Matches(ACCOUNT_NAME_PATTERN, {
    message: `name must be 1-${ACCOUNT_NAME_MAX_LENGTH} characters`,
  })
  name!: string;

  @ApiProperty({
    example: 'ada',
    pattern: USERNAME_PATTERN.source,
    description: '3-32 letters, digits, ".", "_" or "-"; unique regardless of letter case',
  })
  @IsString()
  @Matches(USERNAME_PATTERN, {
    message: 'username must be 3-32 characters of letters, digits, ".", "_" or "-"',
  })
  username!: string;

  @ApiProperty({
    example: 'correct horse battery',
    minLength: 8,
    description: 'At least 8 characters, at most 72 bytes in UTF-8',
  })
  @IsString()
  @MinLength(8)
  @MaxUtf8Bytes(MAX_PASSWORD_BYTES)
  password!: string;
}
