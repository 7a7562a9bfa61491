export { authenticateApiToken, bearerToken, hashApiToken, issueApiToken, type IssuedToken } from './api-tokens.ts';
