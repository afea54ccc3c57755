import { IsString, Length } from 'class-validator';
import { Trim } from '../../common/trim.transform.js';
import { ROOM_ID_MAX_LENGTH } from '../../signaling/protocol/limits.js';

/**
 * A meeting code as clients send it: trimmed, 1-128 characters (the same as a room id: the
 * history records the rooms people joined).
 */
export function IsMeetingCode(): PropertyDecorator {
  return (target: object, propertyKey: string | symbol) => {
    Trim()(target, propertyKey);
    IsString()(target, propertyKey);
    Length(1, ROOM_ID_MAX_LENGTH)(target, propertyKey);
  };
}
