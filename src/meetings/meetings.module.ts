import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { UsersModule } from '../users/users.module.js';
import { MeetingsController } from './meetings.controller.js';
import { MeetingsService } from './meetings.service.js';
import {
  MeetingHistoryEntry,
  MeetingHistoryEntrySchema,
} from './schemas/meeting-history-entry.schema.js';
import { Meeting, MeetingSchema } from './schemas/meeting.schema.js';

@Module({
  imports: [
    UsersModule,
    MongooseModule.forFeature([
      { name: Meeting.name, schema: MeetingSchema },
      { name: MeetingHistoryEntry.name, schema: MeetingHistoryEntrySchema },
    ]),
  ],
  controllers: [MeetingsController],
  providers: [MeetingsService],
  exports: [MeetingsService],
})
export class MeetingsModule {}
