import type { HttpStatus } from './respond.js';

/**
 * A refusal the client caused (bad input, bad signature, unknown app): its message is sent
 * back as `{"error": message}` with `status`. Anything else thrown by an endpoint is a server
 * fault and becomes a logged 500.
 */
export class HttpApiError extends Error {
  readonly status: HttpStatus;

  constructor(status: HttpStatus, message: string) {
    super(message);
    this.name = 'HttpApiError';
    this.status = status;
  }
}

/** 400: malformed JSON, invalid fields, too many channels or events, unsupported info attribute. */
export function badRequest(message: string): HttpApiError {
  return new HttpApiError(400, message);
}

/** 413: event data over the app's `maxEventPayloadKb`, or a body over the hard cap. */
export function payloadTooLarge(message: string): HttpApiError {
  return new HttpApiError(413, message);
}
