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
import { Attendance, AttendanceSchema } from './schemas/attendance.schema.js';
import { MeetingSession, MeetingSessionSchema } from './schemas/meeting-session.schema.js';
import { AttendanceRecorder } from './attendance.recorder.js';
import { SessionsController } from './sessions.controller.js';
import { SessionsService } from './sessions.service.js';
import { WebhooksModule } from '../webhooks/webhooks.module.js';

@Module({
  imports: [
    UsersModule,
    WebhooksModule,
    MongooseModule.forFeature([
      { name: Meeting.name, schema: MeetingSchema },
      { name: MeetingHistoryEntry.name, schema: MeetingHistoryEntrySchema },
      { name: MeetingSession.name, schema: MeetingSessionSchema },
      { name: Attendance.name, schema: AttendanceSchema },
    ]),
  ],
  // Sessions first: its routes are more specific than the meetings controller's ':code'.
  controllers: [SessionsController, MeetingsController],
  providers: [MeetingsService, SessionsService, AttendanceRecorder],
  exports: [MeetingsService, AttendanceRecorder],
})
export class MeetingsModule {}
