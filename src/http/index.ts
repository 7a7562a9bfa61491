export { buildApp, loggerOptions, type AppServices } from './app.ts';
