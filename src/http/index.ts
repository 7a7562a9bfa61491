export { buildApp, type AppServices } from './app.ts';
export { routesOf } from './error-handling.ts';
