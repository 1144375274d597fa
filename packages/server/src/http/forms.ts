import formbody from '@fastify/formbody';
import type { RouteScope } from './routes.js';

/**
 * Lets the routes of one scope read `application/x-www-form-urlencoded` bodies: the hosted pages' buttons post
 * forms. Only those scopes do; every API route reads JSON alone.
 */
export async function acceptForms(app: RouteScope): Promise<void> {
  await app.register(formbody);
}
