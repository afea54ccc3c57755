import { timingSafeEqual } from 'node:crypto';
import {
  Controller,
  Get,
  Header,
  Headers,
  NotFoundException,
  Res,
  UnauthorizedException,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../auth/public.decorator.js';
import type { AppConfig } from '../config/configuration.js';
import type { MetricsConfig } from './metrics.config.js';
import { MetricsService } from './metrics.service.js';

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Prometheus scrape endpoint, outside /api/v1; 404 unless METRICS_ENABLED=true. */
@ApiExcludeController()
@Public()
@Controller('metrics')
export class MetricsController {
  private readonly config: MetricsConfig;

  constructor(
    private readonly metrics: MetricsService,
    config: ConfigService<AppConfig, true>,
  ) {
    this.config = config.get('metrics', { infer: true });
  }

  @Get()
  @Header('Cache-Control', 'no-store')
  async scrape(
    @Headers('authorization') authorization: string | undefined,
    @Res() response: Response,
  ): Promise<void> {
    if (!this.config.enabled) throw new NotFoundException('Cannot GET /metrics');
    const token = this.config.token;
    if (token !== undefined && !sameSecret(authorization ?? '', `Bearer ${token}`)) {
      throw new UnauthorizedException('Metrics token required');
    }
    response.type(this.metrics.contentType).send(await this.metrics.render());
  }
}
