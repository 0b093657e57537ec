import type { Feature } from './http/app.js';
import { adminApi } from './admin/api.js';
import { adminWebFeature } from './admin/web/feature.js';
import { redistributionsFeature } from './admin/routes/redistributions.js';
import { demoFeature } from './demo/feature.js';
import { samlFeature } from './saml/feature.js';
import { scimFeature } from './scim/routes.js';

/** Every HTTP surface the service mounts, in order. Each issue adds its own. */
export const features: readonly Feature[] = [samlFeature, demoFeature, scimFeature, redistributionsFeature, adminApi, adminWebFeature];
