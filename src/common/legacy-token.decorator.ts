import { SetMetadata } from '@nestjs/common';

export const ALLOW_LEGACY_TOKEN_SOURCES = 'allowLegacyTokenSources';

/**
 * Lets the JWT guard also read the token from the JSON body's `token` field or the `token`
 * query parameter, as the original client sends it. For the compatibility routes only.
 */
export const AllowTokenInBodyOrQuery = (): ClassDecorator & MethodDecorator =>
  SetMetadata(ALLOW_LEGACY_TOKEN_SOURCES, true);
