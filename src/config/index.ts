export { loadConfig, ConfigError, mergeLayers, envLayer } from './load.js';
export { configSchema, type Config } from './schema.js';
