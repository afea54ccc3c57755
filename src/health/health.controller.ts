import {
  Controller,
  Get,
  HttpCode,
  HttpStatus,
  type OnModuleDestroy,
  ServiceUnavailableException,
} from '@nestjs/common';
import { Public } from '../auth/public.decorator.js';
import { DatabaseConnectionService } from '../database/database-connection.service.js';

export interface HealthStatus {
  status: 'ok';
  checks?: Record<string, 'up'>;
}

/** Container probes, outside the /api/v1 prefix. */
@Public()
@Controller('health')
export class HealthController implements OnModuleDestroy {
  /** Set when shutdown begins (the first hook Nest runs): a load balancer stops routing here. */
  private shuttingDown = false;

  constructor(private readonly database: DatabaseConnectionService) {}

  onModuleDestroy(): void {
    this.shuttingDown = true;
  }

  /** The process is up and serving HTTP. Never depends on the database. */
  @Get('live')
  @HttpCode(HttpStatus.OK)
  live(): HealthStatus {
    return { status: 'ok' };
  }

  /** Ready to serve traffic: not shutting down, and the database answers a ping. */
  @Get('ready')
  async ready(): Promise<HealthStatus> {
    if (this.shuttingDown) throw new ServiceUnavailableException('shutting down');
    if (!(await this.database.ping())) {
      throw new ServiceUnavailableException('database unavailable');
    }
    return { status: 'ok', checks: { database: 'up' } };
  }
}
