import { ApiProperty } from '@nestjs/swagger';

/** What anyone may see of an account: never the password hash. */
export class UserProfileDto {
  @ApiProperty({ example: '6650f0c2a1b2c3d4e5f60718' })
  id!: string;

  @ApiProperty({ example: 'Ada Lovelace' })
  name!: string;

  @ApiProperty({ example: 'ada' })
  username!: string;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt!: Date;
}
