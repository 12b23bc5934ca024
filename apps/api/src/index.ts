export { type AppDeps, createApp, type RouteModule, routes, type SharedMiddleware } from './app.js';
export { type ApiConfig, apiEnvSchema, loadApiConfig } from './config.js';
export { createApiRedis } from './redis.js';
