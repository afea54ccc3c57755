import { STATUS_CODES } from 'node:http';

/** One problem with one field of a request, as listed in a 400 envelope's `details`. */
export interface FieldProblem {
  field: string;
  message: string;
}

/** The one shape every HTTP error has. */
export interface ErrorEnvelope {
  error: string;
  status: number;
  details?: FieldProblem[];
}

export function errorEnvelope(
  status: number,
  error?: string,
  details?: FieldProblem[],
): ErrorEnvelope {
  const envelope: ErrorEnvelope = { error: error ?? STATUS_CODES[status] ?? 'Error', status };
  if (details && details.length > 0) envelope.details = details;
  return envelope;
}
