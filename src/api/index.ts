// The HTTP API: express app, its context and the OpenAPI document.
export { createApp } from './app.js';
export { type ApiContext } from './context.js';
export { createMetrics, type Metrics } from './metrics.js';
export { createOpenApiDocument, openApiPath, type OpenApiDocument } from './openapi.js';
export { WebhookRefusals } from './webhookRefusals.js';
export { Readiness } from './readiness.js';
