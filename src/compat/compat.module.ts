import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { MeetingsModule } from '../meetings/meetings.module.js';
import { CompatController } from './compat.controller.js';

/** The original backend's routes; removing this module leaves the complete modern API. */
@Module({
  imports: [AuthModule, MeetingsModule],
  controllers: [CompatController],
})
export class CompatModule {}
