import { Body, Controller, Get, Post } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { IsInt, IsString, Length, Min } from 'class-validator';
import type { Connection } from 'mongoose';
import { Public } from '../../src/auth/public.decorator.js';

export class ProbeEchoDto {
  @IsString()
  @Length(1, 10)
  name!: string;

  @IsInt()
  @Min(0)
  count!: number;
}

/**
 * Mounted by tests only: routes that exercise the global pipe, filter and database error
 * mapping through the real application, before feature modules exist to do it.
 */
@Public()
@Controller('probe')
export class ProbeController {
  constructor(@InjectConnection() private readonly connection: Connection) {}

  @Post('echo')
  echo(@Body() body: ProbeEchoDto): ProbeEchoDto {
    return body;
  }

  @Get('crash')
  crash(): never {
    throw new Error('secret internal detail at /srv/app/secret.ts');
  }

  @Get('database')
  async database(): Promise<{ found: boolean }> {
    const document = await this.connection.collection('probe').findOne({});
    return { found: document !== null };
  }
}
