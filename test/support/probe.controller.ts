import { Body, Controller, Get, NotFoundException, Param, Post } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { IsInt, IsString, Length, Min } from 'class-validator';
import { type Connection, type Model, Schema } from 'mongoose';
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

  /**
   * Throws what Mongoose or the driver throw when a request's data got past the DTOs: a
   * document that fails validation, a filter that cannot be cast, a document over 16 MB. The
   * offending value is 'leaked-client-value', which no response or log line may repeat.
   */
  @Get('invalid-data/:kind')
  async invalidData(@Param('kind') kind: string): Promise<never> {
    const model: Model<{ name: string; count?: number }> =
      this.connection.models.ProbeData ??
      this.connection.model(
        'ProbeData',
        new Schema({ name: { type: String, required: true }, count: Number }),
      );
    switch (kind) {
      case 'validation':
        await new model({ count: 'leaked-client-value' }).validate();
        break;
      case 'cast':
        model.find({ _id: 'leaked-client-value' }).cast();
        break;
      case 'too-large':
        throw Object.assign(new Error('object to insert too large: leaked-client-value'), {
          name: 'MongoServerError',
          code: 10334,
          codeName: 'BSONObjectTooLarge',
        });
    }
    throw new NotFoundException(`no such kind: ${kind}`);
  }

  @Get('database')
  async database(): Promise<{ found: boolean }> {
    const document = await this.connection.collection('probe').findOne({});
    return { found: document !== null };
  }
}
