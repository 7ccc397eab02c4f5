/**
 * The admin routes each authorisation matrix covers (issue #14): admin-console.e2e.test.ts owns the
 * paths CONSOLE_PATHS matches (domain information, org structure, department admins, mailing lists,
 * operation log, webmail settings, monitoring rules, traffic), admin-super.e2e.test.ts those SUPER_PATHS matches (the
 * super-domain console), admin-users.e2e.test.ts the rest; together every admin route has its matrix.
 */
export const CONSOLE_PATHS = /^\/api\/admin\/(org\/|lists\/|domains\/\{domain\}\/(info|audit|org|department-admins|lists|webmail|monitors|traffic))/;
export const SUPER_PATHS = /^\/api\/admin\/super\//;
