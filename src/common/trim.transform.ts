import { Transform } from 'class-transformer';

/** Trims strings before validation; leaves anything else for the validators to refuse. */
export const Trim = (): PropertyDecorator =>
  Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value));
