import type { Feature } from './http/app.js';
import { demoFeature } from './demo/feature.js';
import { samlFeature } from './saml/feature.js';

/** Every HTTP surface the service mounts, in order. Each issue adds its own. */
export const features: readonly Feature[] = [samlFeature, demoFeature];
