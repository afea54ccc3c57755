import { type MiddlewareConsumer, Module, type NestModule } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { MeetingsModule } from '../meetings/meetings.module.js';
import { CompatController } from './compat.controller.js';
import { liftLegacyToken } from './legacy-token.middleware.js';

/**
 * Every quirk of the original client: its /users/* routes and shapes, and its token in the
 * body or query. Nothing else in the app knows about it; removing this folder and its line in
 * AppModule leaves the complete modern API (CI checks exactly that).
 */
@Module({
  imports: [AuthModule, MeetingsModule],
  controllers: [CompatController],
})
export class CompatModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(liftLegacyToken).forRoutes(CompatController);
  }
}
