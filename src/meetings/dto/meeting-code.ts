import { Transform } from 'class-transformer';
import { IsString, Length } from 'class-validator';

export const MEETING_CODE_MAX_LENGTH = 128;

const trimmed = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? value.trim() : value;

/** A meeting code as clients send it: trimmed, 1-128 characters. */
export function IsMeetingCode(): PropertyDecorator {
  return (target: object, propertyKey: string | symbol) => {
    Transform(trimmed)(target, propertyKey);
    IsString()(target, propertyKey);
    Length(1, MEETING_CODE_MAX_LENGTH)(target, propertyKey);
  };
}
