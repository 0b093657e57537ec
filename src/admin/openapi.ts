/**
 * The OpenAPI 3.1 document of the admin API (SPEC §6), generated from the route definitions and
 * their zod schemas — the same ones the server validates with.
 */
import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { registerRoute, type RouteDef } from './route.js';
import { registerRedistributions } from './openapi-redistributions.js';

export type OpenApiDocument = ReturnType<OpenApiGeneratorV31['generateDocument']>;

export function buildOpenApiDocument(routes: readonly RouteDef[], version: string): OpenApiDocument {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'API token (`allot token create`): scope admin for everything, read for GET only',
  });
  for (const def of routes) registerRoute(registry, def);
  registerRedistributions(registry);
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'allot admin API',
      version,
      description: 'License types, preference order, policy, group mappings with preview, users, audit and tokens. Errors are `{error: {code, message, details}}`.',
    },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
  });
}
