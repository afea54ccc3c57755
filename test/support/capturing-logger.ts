import type { LoggerService } from '@nestjs/common';

export interface CapturedLine {
  level: string;
  message: string;
  extra: string[];
}

/** A logger that keeps every line, so tests can assert what was (and was not) logged. */
export class CapturingLogger implements LoggerService {
  readonly lines: CapturedLine[] = [];

  private push(level: string, message: unknown, params: unknown[]): void {
    this.lines.push({ level, message: String(message), extra: params.map(String) });
  }
  log(message: unknown, ...params: unknown[]): void {
    this.push('log', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.push('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.push('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.push('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.push('verbose', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.push('fatal', message, params);
  }

  /** Everything logged, one string per line with its parameters (stacks included). */
  text(): string {
    return this.lines.map((line) => [line.level, line.message, ...line.extra].join(' ')).join('\n');
  }
}
