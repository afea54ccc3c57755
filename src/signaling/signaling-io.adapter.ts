import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { Server, ServerOptions } from 'socket.io';
import type { AppConfig } from '../config/configuration.js';

/**
 * Socket.IO server options that come from configuration (gateway decorators are static):
 * CORS like the REST API, a bounded message size, the default path the client expects.
 */
export class SignalingIoAdapter extends IoAdapter {
  constructor(
    app: INestApplicationContext,
    private readonly config: AppConfig,
  ) {
    super(app);
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const overrides: Partial<ServerOptions> = {
      path: '/socket.io',
      maxHttpBufferSize: this.config.signaling.maxMessageBytes,
      cors: { origin: this.config.http.corsOrigins },
    };
    return super.createIOServer(port, { ...options, ...overrides } as ServerOptions);
  }
}
