import type { Feature } from './http/app.js';
import { adminApi } from './admin/api.js';
import { adminWebFeature } from './admin/web/feature.js';
import { redistributionsFeature } from './admin/routes/redistributions.js';

/** Every HTTP surface the service mounts, in order. Each issue adds its own. */
export const features: readonly Feature[] = [redistributionsFeature, adminApi, adminWebFeature];
