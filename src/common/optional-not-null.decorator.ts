import { IsDefined, ValidateIf } from 'class-validator';

/**
 * The field may be left out, but not sent as `null`. class-validator's `@IsOptional()` skips
 * every rule for null as well as for undefined, so `{"meetingCode": null}` reached services
 * (and the database) as if it had been checked. Use this instead of `@IsOptional()` on every
 * request field: a missing field skips the rules, null is answered 400 with the field named.
 */
export function IsOptionalButNotNull(): PropertyDecorator {
  return (target: object, propertyKey: string | symbol) => {
    ValidateIf((_object: object, value: unknown) => value !== undefined)(target, propertyKey);
    IsDefined({ message: '$property must not be null' })(target, propertyKey);
  };
}
