import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class IceServerDto {
  @ApiProperty({ type: [String], example: ['stun:stun.l.google.com:19302'] })
  urls!: string[];

  @ApiPropertyOptional({
    example: '1767225600:6650f0c2a1b2c3d4e5f60718',
    description: 'TURN only: <unix expiry>:<user or guest id>',
  })
  username?: string;

  @ApiPropertyOptional({ description: 'TURN only: base64(HMAC-SHA1(TURN_SECRET, username))' })
  credential?: string;
}

export class IceServersDto {
  @ApiProperty({ type: [IceServerDto] })
  iceServers!: IceServerDto[];

  @ApiProperty({
    example: 86400,
    description: 'Seconds the TURN credentials stay valid (0 without TURN)',
  })
  ttl!: number;
}

export class RoomStatsDto {
  @ApiProperty({ example: 3 })
  rooms!: number;

  @ApiProperty({ example: 11 })
  participants!: number;

  @ApiProperty({ example: 14, description: 'Connected sockets, in a room or not' })
  sockets!: number;
}

class MediaStateDto {
  @ApiProperty() audio!: boolean;
  @ApiProperty() video!: boolean;
  @ApiProperty() screen!: boolean;
}

export class MeetingParticipantDto {
  @ApiProperty({ example: 'Ada Lovelace' })
  name!: string;

  @ApiProperty({ type: String, format: 'date-time' })
  joinedAt!: Date;

  @ApiProperty({
    type: MediaStateDto,
    nullable: true,
    description: 'null until the participant reports its state',
  })
  media!: MediaStateDto | null;

  @ApiProperty()
  handRaised!: boolean;

  @ApiProperty({
    enum: ['host', 'cohost', 'participant'],
    description: "A registered meeting's creator is its host; a host may name co-hosts",
  })
  role!: 'host' | 'cohost' | 'participant';

  @ApiProperty({ description: 'Signed in (true) or guest (false)' })
  signedIn!: boolean;
}
