/** Which simulated user made a request (set by the REST plugin's auth hook). */
import type { FastifyRequest } from 'fastify';
import type { UserRecord } from '../state.ts';
import { unauthorized } from './errors.ts';

const users = new WeakMap<FastifyRequest, UserRecord>();

export function setRequestUser(request: FastifyRequest, user: UserRecord): void {
  users.set(request, user);
}

/** The authenticated user; throws 401 when the route was reached without one. */
export function requestUser(request: FastifyRequest): UserRecord {
  const user = users.get(request);
  if (!user) throw unauthorized();
  return user;
}
