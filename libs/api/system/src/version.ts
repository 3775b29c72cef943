export const STARTED_AT = new Date().toISOString();
