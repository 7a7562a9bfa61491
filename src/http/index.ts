export { buildApp, type AppServices } from './app.ts';
