import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';

/** The caller's address as Express sees it (honours TRUST_PROXY behind a reverse proxy). */
export const ClientAddress = createParamDecorator(
  (_data: unknown, context: ExecutionContext): string => {
    const request = context.switchToHttp().getRequest<Request>();
    return request.ip ?? request.socket.remoteAddress ?? 'unknown';
  },
);
