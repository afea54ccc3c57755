import { IsString, Length } from 'class-validator';
import { Trim } from '../../common/trim.transform.js';

export const MEETING_CODE_MAX_LENGTH = 128;

/** A meeting code as clients send it: trimmed, 1-128 characters. */
export function IsMeetingCode(): PropertyDecorator {
  return (target: object, propertyKey: string | symbol) => {
    Trim()(target, propertyKey);
    IsString()(target, propertyKey);
    Length(1, MEETING_CODE_MAX_LENGTH)(target, propertyKey);
  };
}
