import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';
import { MAX_PASSWORD_BYTES, MaxUtf8Bytes } from '../../users/dto/password.validator.js';

export class LoginDto {
  @ApiProperty({ example: 'ada' })
  @IsString()
  @Length(1, 64)
  username!: string;

  @ApiProperty({ example: 'correct horse battery' })
  @IsString()
  @Length(1, 256)
  @MaxUtf8Bytes(MAX_PASSWORD_BYTES)
  password!: string;
}
