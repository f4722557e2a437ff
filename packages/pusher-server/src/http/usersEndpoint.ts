import type { ApiCall } from './apiCall.js';
import type { HttpApiContext } from './HttpApiContext.js';
import { badRequest } from './HttpApiError.js';

/** `POST /apps/:appId/users/:userId/terminate_connections` → `{}`: closes the user's sockets on every node. */
export function terminateUserConnections(call: ApiCall, ctx: HttpApiContext): unknown {
  const userId = call.params[0] ?? '';
  if (userId === '') throw badRequest('User id must be a non-empty string');
  ctx.publisher.terminateUserConnections(call.app, userId);
  return {};
}
