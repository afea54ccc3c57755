import { registerDecorator, type ValidationOptions } from 'class-validator';

/** bcrypt only looks at the first 72 bytes; longer passwords are refused, not truncated. */
export const MAX_PASSWORD_BYTES = 72;

export function MaxUtf8Bytes(limit: number, options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    registerDecorator({
      name: 'maxUtf8Bytes',
      target: target.constructor,
      propertyName: String(propertyName),
      constraints: [limit],
      options: {
        message: `$property must be at most ${limit} bytes in UTF-8 (longer passwords would be silently truncated by bcrypt)`,
        ...options,
      },
      validator: {
        validate: (value: unknown) =>
          typeof value !== 'string' || Buffer.byteLength(value, 'utf8') <= limit,
      },
    });
  };
}
