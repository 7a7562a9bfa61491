export { AccountService } from './account-service.ts';
