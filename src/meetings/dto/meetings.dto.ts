import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsString, Length, Max, Min } from 'class-validator';
import { IsOptionalButNotNull } from '../../common/optional-not-null.decorator.js';
import { Trim } from '../../common/trim.transform.js';
import { ROOM_ID_MAX_LENGTH } from '../../signaling/protocol/limits.js';
import { IsMeetingCode } from './meeting-code.js';

export class CreateMeetingDto {
  @ApiPropertyOptional({ example: 'Weekly sync', maxLength: 200 })
  @IsOptionalButNotNull()
  @Trim()
  @IsString()
  @Length(1, 200)
  title?: string;
}

export class MeetingDto {
  @ApiProperty({ example: 'abc-defg-hij' })
  code!: string;

  @ApiPropertyOptional({ example: 'Weekly sync' })
  title?: string;

  @ApiProperty({ example: 'Ada Lovelace', description: "The host's display name" })
  hostName!: string;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt!: Date;
}

export class AddHistoryEntryDto {
  @ApiProperty({ example: 'abc-defg-hij', minLength: 1, maxLength: ROOM_ID_MAX_LENGTH })
  @IsMeetingCode()
  meetingCode!: string;
}

export class HistoryQueryDto {
  @ApiPropertyOptional({ default: 1, minimum: 1 })
  @IsOptionalButNotNull()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100_000)
  page = 1;

  @ApiPropertyOptional({ default: 20, minimum: 1, maximum: 100 })
  @IsOptionalButNotNull()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit = 20;
}

export class HistoryEntryDto {
  @ApiProperty({ example: '6650f0c2a1b2c3d4e5f60718' })
  id!: string;

  @ApiProperty({ example: 'abc-defg-hij' })
  meetingCode!: string;

  @ApiProperty({ type: String, format: 'date-time' })
  date!: Date;
}

export class HistoryPageDto {
  @ApiProperty({ type: [HistoryEntryDto] })
  items!: HistoryEntryDto[];

  @ApiProperty({ example: 42, description: 'Entries in the whole history' })
  total!: number;

  @ApiProperty({ example: 1 })
  page!: number;

  @ApiProperty({ example: 20 })
  limit!: number;
}
