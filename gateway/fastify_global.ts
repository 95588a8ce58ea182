/**
 * Marks a plugin as not encapsulated (what the fastify-plugin package does, which is not installed):
 * its decorators and hooks reach the routes of sibling plugins.
 */
import type { FastifyPluginAsync } from 'fastify';

export function globalPlugin<Options extends object>(
  plugin: FastifyPluginAsync<Options>,
): FastifyPluginAsync<Options> {
  (plugin as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')] = true;
  return plugin;
}
