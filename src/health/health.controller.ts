import { Controller, Get, HttpCode, HttpStatus, ServiceUnavailableException } from '@nestjs/common';
import { Public } from '../auth/public.decorator.js';
import { DatabaseConnectionService } from '../database/database-connection.service.js';

export interface HealthStatus {
  status: 'ok';
  checks?: Record<string, 'up'>;
}

/** Container probes, outside the /api/v1 prefix. */
@Public()
@Controller('health')
export class HealthController {
  constructor(private readonly database: DatabaseConnectionService) {}

  /** The process is up and serving HTTP. Never depends on the database. */
  @Get('live')
  @HttpCode(HttpStatus.OK)
  live(): HealthStatus {
    return { status: 'ok' };
  }

  /** Ready to serve traffic: the database answers a ping. */
  @Get('ready')
  async ready(): Promise<HealthStatus> {
    if (!(await this.database.ping())) {
      throw new ServiceUnavailableException('database unavailable');
    }
    return { status: 'ok', checks: { database: 'up' } };
  }
}
