import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsMongoId, IsString, Length } from 'class-validator';
import { IsOptionalButNotNull } from '../../common/optional-not-null.decorator.js';
import { IsMeetingCode } from '../../meetings/dto/meeting-code.js';

/** The `token` the existing client sends in the body or query instead of a Bearer header. */
export class CompatTokenQueryDto {
  @ApiPropertyOptional({
    description: 'Access token (the existing client sends it here); or use a Bearer header',
  })
  @IsOptionalButNotNull()
  @IsString()
  @Length(1, 4096)
  token?: string;
}

/**
 * The original backend's add_to_activity body, in both shapes it was called with:
 * the client's `{token, meetingId}` and the README's `{user_id, meetingCode}`.
 */
export class CompatAddActivityDto extends CompatTokenQueryDto {
  @ApiPropertyOptional({
    example: 'abc-defg-hij',
    description: "The client's name for the meeting code",
  })
  @IsOptionalButNotNull()
  @IsMeetingCode()
  meetingId?: string;

  @ApiPropertyOptional({ example: 'abc-defg-hij' })
  @IsOptionalButNotNull()
  @IsMeetingCode()
  meetingCode?: string;

  @ApiPropertyOptional({
    description: 'Must be the signed-in user (the user always comes from the token)',
  })
  @IsOptionalButNotNull()
  @IsMongoId()
  user_id?: string;
}

export class CompatHistoryItemDto {
  @ApiProperty({ example: '6650f0c2a1b2c3d4e5f60718' })
  _id!: string;

  @ApiProperty({ example: 'abc-defg-hij' })
  meetingCode!: string;

  @ApiProperty({ type: String, format: 'date-time' })
  date!: Date;
}

export class CompatAddActivityResponseDto {
  @ApiProperty({ example: 'Meeting added to history' })
  message!: string;

  @ApiProperty({ type: CompatHistoryItemDto })
  meeting!: CompatHistoryItemDto;
}

export class CompatHistoryResponseDto {
  @ApiProperty({ type: [CompatHistoryItemDto], description: 'Newest first' })
  meetings!: CompatHistoryItemDto[];
}
