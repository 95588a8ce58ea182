/**
 * Every error cadre names, once: a code, an HTTP status and a default message. Reject reasons of the
 * input paths are codes from here too, so they are countable (`cadre_rejected_total{reason}`) and
 * documented in one place (docs/errors.md is checked against this list by a test).
 */
export const ERRORS = {
  // Input rejects (ingest, processor intake, replay).
  CADRE_ERR_BAD_JSON: { status: 400, message: 'Body or line is not valid JSON' },
  CADRE_ERR_SCHEMA: { status: 400, message: 'Message does not match its schema' },
  CADRE_ERR_UNKNOWN_TYPE: { status: 400, message: 'Unknown message type' },
  CADRE_ERR_UNKNOWN_ELEMENT: { status: 400, message: 'Element is not in the topology' },
  CADRE_ERR_UNKNOWN_GRID: { status: 400, message: 'Grid is not in the topology' },
  CADRE_ERR_NO_GRID: { status: 400, message: 'No grid can be found for the message' },
  CADRE_ERR_WRONG_CITY: { status: 400, message: "The subject's city is not the grid's city" },
  CADRE_ERR_TIME_RANGE: { status: 400, message: 'Time is outside the accepted range' },
  CADRE_ERR_MISSING_LABEL: { status: 400, message: 'An Alertmanager alert lacks a label its mapping needs' },
  CADRE_ERR_UNSIGNED_COMMAND: {
    status: 400,
    message: 'A command or maintenance window carries no signature',
  },
  CADRE_ERR_BAD_SIGNATURE: { status: 400, message: "A command's signature is not the command key's" },
  CADRE_ERR_UNKNOWN_EVENT: { status: 404, message: 'Event not found' },
  // HTTP and API.
  CADRE_ERR_BAD_REQUEST: { status: 400, message: 'Bad request' },
  CADRE_ERR_UNAUTHORIZED: { status: 401, message: 'Missing or invalid credentials' },
  CADRE_ERR_FORBIDDEN: { status: 403, message: 'Not allowed for this role or city' },
  CADRE_ERR_NOT_FOUND: { status: 404, message: 'Not found' },
  CADRE_ERR_CONFLICT: { status: 409, message: 'Conflicts with the current state' },
  CADRE_ERR_TOO_LARGE: { status: 413, message: 'Body is larger than the configured limit' },
  CADRE_ERR_RATE_LIMITED: { status: 429, message: 'Too many requests' },
  CADRE_ERR_UNAVAILABLE: { status: 503, message: 'A dependency is not available' },
  CADRE_ERR_INTERNAL: { status: 500, message: 'Internal error' },
  // Start-up.
  CADRE_ERR_CONFIG: { status: 500, message: 'Invalid configuration' },
  CADRE_ERR_NATS_SERVER_MISSING: { status: 500, message: 'nats-server is not installed' },
} as const;

export type ErrorCode = keyof typeof ERRORS;

export class CadreError extends Error {
  readonly code: ErrorCode;
  readonly statusCode: number;
  readonly details?: unknown;

  constructor(code: ErrorCode, message?: string, details?: unknown) {
    super(message ?? ERRORS[code].message);
    this.name = 'CadreError';
    this.code = code;
    this.statusCode = ERRORS[code].status;
    this.details = details;
  }
}

/** A rejected input: the countable code and the human reason naming what is wrong. */
export interface Reject {
  code: ErrorCode;
  reason: string;
}

export function reject(code: ErrorCode, reason: string): Reject {
  return { code, reason };
}

/** The short metric label of a reject code: `CADRE_ERR_BAD_JSON` → `bad_json`. */
export function reasonLabel(code: ErrorCode): string {
  return code.slice('CADRE_ERR_'.length).toLowerCase();
}
