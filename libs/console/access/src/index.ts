export * from './session.js';
export { LoginPage } from './LoginPage.js';
export { UserMenu } from './UserMenu.js';
export { AccountPage } from './AccountPage.js';
export { AccessAdminPage } from './AccessAdminPage.js';
export { AuditLogPage } from './AuditLogPage.js';
