import {
  Controller,
  Get,
  HttpCode,
  HttpStatus,
  Inject,
  type OnModuleDestroy,
  Res,
  ServiceUnavailableException,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Response } from 'express';
import { Public } from '../auth/public.decorator.js';
import type { AppConfig } from '../config/configuration.js';
import { DatabaseConnectionService } from '../database/database-connection.service.js';
import { ROOM_REGISTRY, type RoomRegistry } from '../signaling/rooms/room-registry.js';

type Check = 'up' | 'down';

/** Each dependency's state, also at the top level of a readiness answer. */
export interface DependencyChecks {
  database?: Check;
  /** Only when the service is scaled out (REDIS_URL). */
  redis?: Check;
}

export interface HealthStatus extends DependencyChecks {
  status: 'ok';
  checks?: Record<string, Check>;
}

/**
 * A 503 readiness answer: the error envelope, plus which dependency is down, both at the top
 * level (`{"database": "up", "redis": "down"}`) and under `checks`.
 */
export interface UnreadyStatus extends DependencyChecks {
  error: string;
  status: 503;
  checks: Record<string, Check>;
}

/** Container probes, outside the /api/v1 prefix. */
@Public()
@Controller('health')
export class HealthController implements OnModuleDestroy {
  /** Set when shutdown begins (the first hook Nest runs): a load balancer stops routing here. */
  private shuttingDown = false;

  private readonly redisConfigured: boolean;

  constructor(
    private readonly database: DatabaseConnectionService,
    @Inject(ROOM_REGISTRY) private readonly registry: RoomRegistry,
    config: ConfigService<AppConfig, true>,
  ) {
    this.redisConfigured = config.get('redis', { infer: true }) !== undefined;
  }

  onModuleDestroy(): void {
    this.shuttingDown = true;
  }

  /** The process is up and serving HTTP. Never depends on the database. */
  @Get('live')
  @HttpCode(HttpStatus.OK)
  live(): HealthStatus {
    return { status: 'ok' };
  }

  /**
   * Ready to serve traffic: not shutting down, the database answers a ping, and so does Redis
   * when the service is scaled out. A 503 names what is down, so a load balancer (and an
   * operator) can tell: `{"database": "up", "redis": "down", "checks": {...the same}}`.
   */
  @Get('ready')
  async ready(
    @Res({ passthrough: true }) response: Response,
  ): Promise<HealthStatus | UnreadyStatus> {
    if (this.shuttingDown) throw new ServiceUnavailableException('shutting down');
    const [database, redis] = await Promise.all([
      this.database.ping(),
      this.redisConfigured ? this.registry.reachable() : Promise.resolve(undefined),
    ]);
    const checks: DependencyChecks & Record<string, Check> = {
      database: database ? 'up' : 'down',
    };
    if (redis !== undefined) checks.redis = redis ? 'up' : 'down';
    const down = Object.keys(checks).filter((name) => checks[name] === 'down');
    if (down.length === 0) return { status: 'ok', ...checks, checks };
    response.status(HttpStatus.SERVICE_UNAVAILABLE);
    return { error: `${down.join(' and ')} unavailable`, status: 503, ...checks, checks };
  }
}
