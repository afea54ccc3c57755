/**
 * Whether objects and arrays in `value` nest more than `limit` levels (`{}` and `[]` are one
 * level, a scalar none). Iterative, so it cannot overflow the stack however deep the value is;
 * it stops at the first container past the limit.
 */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const pending: object[] = [value];
  const depths: number[] = [1];
  while (pending.length > 0) {
    const container = pending.pop() as object;
    const depth = depths.pop() as number;
    if (depth > limit) return true;
    for (const child of Object.values(container) as unknown[]) {
      if (typeof child === 'object' && child !== null) {
        pending.push(child);
        depths.push(depth + 1);
      }
    }
  }
  return false;
}
